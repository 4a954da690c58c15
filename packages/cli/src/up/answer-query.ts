/**
 * Answers one report or SQL question on an open store: the same function serves `cctap report` / `cctap sql`
 * run against the store directly and the loopback endpoint of a running `cctap up`.
 */
import { blocksReport, periodReport, runSql, sessionDetails, type Store } from '@cctap/sink/reports';
import type { QueryRequest } from './query-protocol.js';

export async function answerQuery(store: Store, q: QueryRequest): Promise<unknown> {
  switch (q.op) {
    case 'period':
      return periodReport(store, q.kind, q.opts);
    case 'blocks':
      return blocksReport(store, q.opts);
    case 'sessionDetail':
      return sessionDetails(store, q.opts);
    case 'sql':
      return runSql(store, q.sql);
    default:
      throw new TypeError(`unknown query op '${(q as { op?: unknown }).op as string}'`);
  }
}
