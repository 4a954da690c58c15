/**
 * Answers one report or SQL question on an open store: the same function serves `cctap report` / `cctap sql`
 * run against the store directly and the loopback endpoint of a running `cctap up`.
 */
import { blocksReport, periodReport, runSql, sessionDetails, sessionEntries, type Store } from '@cctap/sink/reports';
import type { AlertAccess } from '../alerts/alert-access.js';
import type { StatuslineAnswerer } from '../statusline/statusline-answerer.js';
import type { QueryRequest } from './query-protocol.js';

export async function answerQuery(
  store: Store,
  q: QueryRequest,
  alerts?: AlertAccess,
  statusline?: StatuslineAnswerer,
): Promise<unknown> {
  switch (q.op) {
    case 'alerts':
    case 'silences':
    case 'silence':
    case 'alertTest': {
      if (!alerts) throw new TypeError('this endpoint serves no alerts');
      if (q.op === 'alerts') return alerts.alerts();
      if (q.op === 'silences') return alerts.silences();
      if (q.op === 'silence') return alerts.putSilence(q.silence).then(() => null);
      return alerts.test(q.receiver);
    }
    case 'period':
      return periodReport(store, q.kind, q.opts);
    case 'blocks':
      return blocksReport(store, q.opts);
    case 'sessionDetail':
      return sessionDetails(store, q.opts);
    case 'sessionEntries':
      return sessionEntries(store, q.sessionId);
    case 'sql':
      return runSql(store, q.sql);
    case 'statusline':
      if (!statusline) throw new TypeError('this endpoint serves no status line');
      return statusline.answer(q);
    default:
      throw new TypeError(`unknown query op '${(q as { op?: unknown }).op as string}'`);
  }
}
