/**
 * Bus messages of one fetch -> rows per table, through the contract's codecs (packages/events codecs/):
 * every stream the sink reads is written by a stage of this pipeline downstream of the validator, so the
 * trusted decodes apply, and the typed row mappers (../rows) lift the fields. A message that cannot be
 * turned into rows is terminated on its own (it goes to the dead-letter stream with the reason) and
 * counted; the rest of the batch proceeds.
 */
import { createHash } from 'node:crypto';
import {
  decodeTrustedAlert,
  decodeTrustedBatch,
  decodeTrustedDerived,
  decodeTrustedInvalid,
  streamPositionId,
} from '@cctap/events';
import type { BusMessage, ConsumerKey } from '@cctap/kit';
import { toAlertRow } from '../rows/alert-row.js';
import { batchRows } from '../rows/batch-rows.js';
import { toDerivedRow } from '../rows/derived-row.js';
import { toInvalidRow } from '../rows/invalid-row.js';

export type SinkTable = 'events' | 'usage' | 'invalid_events' | 'derived' | 'alerts';

export interface DecodedFlush {
  rows: Map<SinkTable, object[]>;
  /** Ids of the messages whose rows are in `rows`, in delivery order (the insert dedup token is built from them). */
  messageIds: string[];
  /** Messages that went to the dead letters. */
  undecodable: number;
}

function messageId(m: BusMessage): string {
  return m.msgId ?? streamPositionId(m.stream, m.seq);
}

/** A rejection's row id: its message id, else a digest of its bytes (the same for a redelivery). */
function invalidRowId(m: BusMessage): string {
  return m.msgId ?? createHash('sha256').update(m.data).digest('hex').slice(0, 32);
}

function push(rows: Map<SinkTable, object[]>, table: SinkTable, items: readonly object[]): void {
  if (items.length === 0) return;
  let list = rows.get(table);
  if (!list) rows.set(table, (list = []));
  for (const r of items) list.push(r);
}

/** The rows one message adds, by table; throws when the message cannot be mapped. */
function rowsOf(consumer: ConsumerKey, m: BusMessage): [SinkTable, readonly object[]][] {
  switch (consumer) {
    case 'sink-events': {
      const b = batchRows(decodeTrustedBatch(m.data));
      return [
        ['events', b.events],
        ['usage', b.usage],
      ];
    }
    case 'sink-invalid':
      return [['invalid_events', [toInvalidRow(decodeTrustedInvalid(m.data), invalidRowId(m))]]];
    case 'sink-derived':
      return [['derived', [toDerivedRow(decodeTrustedDerived(m.data))]]];
    case 'sink-alerts':
      return [['alerts', [toAlertRow(decodeTrustedAlert(m.data))]]];
    default:
      throw new Error(`the sink does not consume ${consumer}`);
  }
}

export function decodeMessages(consumer: ConsumerKey, msgs: readonly BusMessage[]): DecodedFlush {
  const rows = new Map<SinkTable, object[]>();
  const messageIds: string[] = [];
  let undecodable = 0;
  for (const m of msgs) {
    try {
      // All of a message's rows or none: mapped in full before any is kept.
      for (const [table, items] of rowsOf(consumer, m)) push(rows, table, items);
      messageIds.push(messageId(m));
    } catch (err) {
      undecodable += 1;
      m.term(`sink cannot map message to rows: ${err instanceof Error ? err.message : String(err)}`.slice(0, 500));
    }
  }
  return { rows, messageIds, undecodable };
}
