/**
 * `cctap report blocks`: ccusage's 5-hour blocks over deduplicated responses. With `--by`, blocks are built
 * per value (a usage window belongs to one person's account; mixing a team's entries into one timeline
 * would make blocks meaningless), and each block carries the value.
 */
import type { Store } from '@cctap/store';
import { DIMENSION_COLUMN, dayWindow, type Dimension, type ReportOptions } from './options.js';
import { storedBookVersion } from './price-book-version.js';
import { RESPONSE_ENTRY_COLUMNS, responsesSql, type ResponseEntryRow } from '@cctap/store/light';
import { buildBlocks, type BlockEntry, type SessionBlock } from './session-blocks.js';
import { sessionProjectClause } from './session-project.js';

export interface BlocksReport {
  by: Dimension | null;
  /** IANA zone of the day window (and of the times a table shows; JSON times are UTC ISO, as ccusage). */
  tz: string;
  blocks: (SessionBlock & Record<string, unknown>)[];
  /** Version of the price book the costs come from; null when none was synced. */
  priceBook: string | null;
}

interface EntryRow extends ResponseEntryRow {
  dim: string;
}

export async function blocksReport(store: Store, opts: ReportOptions & { now?: number } = {}): Promise<BlocksReport> {
  const win = dayWindow(opts);
  const sp = sessionProjectClause(opts, false);
  const dim = opts.by ? DIMENSION_COLUMN[opts.by] : "''";
  const priceBook = await storedBookVersion(store);
  const rows = await store.query<EntryRow>(
    `SELECT ${dim} AS dim, ${RESPONSE_ENTRY_COLUMNS}
     FROM (${responsesSql(win.prefilter || undefined)}) AS r ${sp.join}
     WHERE ${win.where} AND ${sp.where}
     ORDER BY dim, ms, event_id`,
    { ...win.params, ...sp.params },
    { reusable: true },
  );
  const byDim = new Map<string, BlockEntry[]>();
  for (const r of rows) {
    let list = byDim.get(r.dim);
    if (!list) byDim.set(r.dim, (list = []));
    list.push({
      ts: Number(r.ms),
      model: r.model,
      input: Number(r.input_tokens),
      output: Number(r.output_tokens),
      cacheCreation: Number(r.cache_creation_tokens),
      cacheRead: Number(r.cache_read_tokens),
      cost: r.cost === null ? null : Number(r.cost),
    });
  }
  const now = opts.now ?? Date.now();
  const blocks: BlocksReport['blocks'] = [];
  for (const [value, entries] of byDim) {
    for (const b of buildBlocks(entries, now, opts.sessionHours))
      blocks.push(opts.by ? { [opts.by]: value, ...b } : { ...b });
  }
  // ccusage: by start time, oldest first unless --order desc.
  if (opts.by) blocks.sort((a, b) => a.startTime.localeCompare(b.startTime));
  if (opts.order === 'desc') blocks.reverse();
  return { by: opts.by ?? null, tz: win.params.tz as string, blocks, priceBook };
}
