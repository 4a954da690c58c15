/**
 * Answers one question sent to the loopback endpoint of a running `cctap up`: a read-only query on its store
 * (every report and `cctap sql`, through loopback-store.ts), `cctap alerts`, and the status line.
 */
import type { Store } from '@cctap/store';
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
    case 'query':
      // Read-only, checked and enforced by the engine (read-only-sql.ts of @cctap/store): the reader asks, never writes.
      return store.query(q.sql, q.params, { readOnly: true, reusable: q.reusable === true });
    case 'statusline':
      if (!statusline) throw new TypeError('this endpoint serves no status line');
      return statusline.answer(q);
    default:
      throw new TypeError(`unknown query op '${(q as { op?: unknown }).op as string}'`);
  }
}
