/**
 * Bus messages of one fetch -> rows per table. A message that cannot be turned into rows is terminated on
 * its own (it goes to the dead-letter stream with the reason) and counted; the rest of the batch proceeds.
 */
import { decodeTrustedBatch } from '@cctap/events';
import type { BusMessage, ConsumerKey } from '@cctap/kit';
import { batchRows } from '../rows/batch-rows.js';
import { toAlertRows, toDerivedRows, toInvalidRow, type MessageMeta } from '../rows/message-rows.js';

export type SinkTable = 'events' | 'usage' | 'invalid_events' | 'derived' | 'alerts';

export interface DecodedFlush {
  rows: Map<SinkTable, object[]>;
  /** Ids of the messages whose rows are in `rows`, in delivery order (the insert dedup token is built from them). */
  messageIds: string[];
  /** Messages that went to the dead letters. */
  undecodable: number;
}

const decoder = new TextDecoder();

export function messageId(m: BusMessage): string {
  return m.msgId ?? `${m.stream}:${m.seq}`;
}

function push(rows: Map<SinkTable, object[]>, table: SinkTable, items: readonly object[]): void {
  if (items.length === 0) return;
  let list = rows.get(table);
  if (!list) rows.set(table, (list = []));
  for (const r of items) list.push(r);
}

export function decodeMessages(
  consumer: ConsumerKey,
  msgs: readonly BusMessage[],
  hostOf: (subject: string) => string | null,
): DecodedFlush {
  const rows = new Map<SinkTable, object[]>();
  const messageIds: string[] = [];
  let undecodable = 0;
  for (const m of msgs) {
    try {
      const body = decoder.decode(m.data);
      const meta: MessageMeta = { subjectHost: hostOf(m.subject), headers: m.headers, storedAtMs: Date.now() };
      const staged = new Map<SinkTable, object[]>();
      switch (consumer) {
        case 'sink-events': {
          const b = batchRows(decodeTrustedBatch(m.data));
          push(staged, 'events', b.events);
          push(staged, 'usage', b.usage);
          break;
        }
        case 'sink-invalid':
          push(staged, 'invalid_events', [toInvalidRow(body, meta)]);
          break;
        case 'sink-derived':
          push(staged, 'derived', toDerivedRows(body, meta));
          break;
        case 'sink-alerts':
          push(staged, 'alerts', toAlertRows(body, meta));
          break;
        default:
          throw new Error(`the sink does not consume ${consumer}`);
      }
      for (const [t, r] of staged) push(rows, t, r);
      messageIds.push(messageId(m));
    } catch (err) {
      undecodable += 1;
      m.term(`sink cannot map message to rows: ${err instanceof Error ? err.message : String(err)}`.slice(0, 500));
    }
  }
  return { rows, messageIds, undecodable };
}
