/**
 * This session's cost without a running `cctap up`: its transcript (and its subagents' transcripts, which
 * carry the same session id) read and normalized by @cctap/transcript, one line per API response kept by the
 * max rule (UsageLedger), each priced by @cctap/prices with the same book the store uses. Read in full on
 * each call, so the result is cached under the temporary directory until one of the files changes.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type { EventOf } from '@cctap/events';
import { priceFileOf } from '../price-file.js';

export interface TranscriptCost {
  /** USD of the priced responses; null when none is priced. */
  costUsd: number | null;
  responses: number;
}

/** The main transcript and the files under `<session>/subagents/` beside it, with their sizes and times. */
function sessionFiles(transcript: string): { path: string; size: number; mtimeMs: number }[] {
  const files = [transcript];
  const sub = join(dirname(transcript), basename(transcript, '.jsonl'), 'subagents');
  try {
    for (const name of readdirSync(sub).sort()) if (name.endsWith('.jsonl')) files.push(join(sub, name));
  } catch {
    // no subagents
  }
  return files.map((path) => {
    const st = statSync(path);
    return { path, size: st.size, mtimeMs: st.mtimeMs };
  });
}

async function compute(files: readonly { path: string }[], priceFile: string | null): Promise<TranscriptCost> {
  // Loaded only when the cache does not answer: they are most of this command's start-up otherwise.
  const [{ loadBook, priceAssistant }, { TranscriptStream, UsageLedger }] = await Promise.all([
    import('@cctap/prices'),
    import('@cctap/transcript'),
  ]);
  const ledger = new UsageLedger();
  const byId = new Map<string, EventOf<'assistant'>>();
  for (const f of files) {
    const stream = new TranscriptStream({
      host: 'local',
      user: '',
      path: f.path,
      fileId: f.path,
      privacy: 'metadata',
      startOffset: 0,
      lastTs: null,
      fileTs: new Date().toISOString(),
    });
    for (const line of stream.push(readFileSync(f.path))) {
      for (const e of line.events) {
        if (e.type !== 'assistant') continue;
        ledger.add(e);
        byId.set(e.id, e);
      }
    }
  }
  const book = loadBook({ file: priceFile });
  let cost = 0;
  let priced = false;
  const responses = ledger.responses();
  for (const r of responses) {
    const p = byId.get(r.eventId)!.payload;
    const price = priceAssistant(book, p, r.ts);
    if (price.usd !== null) {
      cost += price.usd;
      priced = true;
    }
  }
  return { costUsd: priced ? cost : null, responses: responses.length };
}

export async function transcriptCost(transcript: string): Promise<TranscriptCost> {
  const files = sessionFiles(transcript);
  const prices = priceFileOf(undefined);
  const key = JSON.stringify({ files, prices });
  const dir = join(tmpdir(), `cctap-statusline-${userInfo().uid}`);
  const cache = join(dir, `${createHash('sha256').update(transcript).digest('hex').slice(0, 32)}.json`);
  try {
    // Only a directory of our own: another local user could have made one in a shared temporary directory.
    if (statSync(dir).uid !== userInfo().uid) return await compute(files, prices);
    const kept = JSON.parse(readFileSync(cache, 'utf8')) as { key: string; cost: TranscriptCost };
    if (kept.key === key) return kept.cost;
  } catch {
    // no cache yet, or an unreadable one: computed below
  }
  const cost = await compute(files, prices);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(cache, JSON.stringify({ key, cost }));
  } catch {
    // the cache only saves time
  }
  return cost;
}
