/** Normalizes transcript files and inserts their rows in flushes of ~10k rows, as the sink would. */
import { readFileSync } from 'node:fs';
import { SCHEMA_VERSION, type Batch } from '@cctap/events';
import { batchRows } from '@cctap/sink/internal';
import { insertRows, type Store } from '@cctap/store';
import { TranscriptStream } from '@cctap/transcript';

export interface FileToIngest {
  path: string;
  host: string;
  user?: string;
}

export async function ingestFiles(
  store: Store,
  files: readonly FileToIngest[],
  flushRows = 10_000,
): Promise<{ events: number; usage: number }> {
  let events: object[] = [];
  let usage: object[] = [];
  let ids: string[] = [];
  let counts = { events: 0, usage: 0 };
  const flush = async () => {
    await insertRows(store, 'events', events, ids);
    await insertRows(store, 'usage', usage, ids);
    counts = { events: counts.events + events.length, usage: counts.usage + usage.length };
    events = [];
    usage = [];
    ids = [];
  };
  for (const [i, f] of files.entries()) {
    const fileId = `f${String(i).padStart(15, '0')}`;
    const stream = new TranscriptStream({
      host: f.host,
      user: f.user ?? 'alice',
      path: f.path,
      fileId,
      privacy: 'redacted',
      startOffset: 0,
      lastTs: null,
      fileTs: '2026-01-01T00:00:00.000Z',
    });
    const lines = stream.push(readFileSync(f.path));
    const batch: Batch = {
      v: SCHEMA_VERSION,
      host: f.host,
      source: { path: f.path, fileId, from: 0, to: stream.offset },
      events: lines.flatMap((l) => l.events),
    };
    const rows = batchRows(batch);
    events.push(...rows.events);
    usage.push(...rows.usage);
    ids.push(fileId);
    if (events.length >= flushRows) await flush();
  }
  await flush();
  return counts;
}
