/** A validated batch -> the rows it adds to each table. Pure. */
import type { Batch } from '@cctap/events';
import { toEventRow, type EventRow } from './event-row.js';
import { toUsageRows, type UsageRow } from './usage-row.js';

export interface BatchRows {
  events: EventRow[];
  usage: UsageRow[];
}

export function batchRows(batch: Batch): BatchRows {
  const events: EventRow[] = [];
  const usage: UsageRow[] = [];
  for (const e of batch.events) {
    events.push(toEventRow(e));
    for (const u of toUsageRows(e)) usage.push(u);
  }
  return { events, usage };
}
