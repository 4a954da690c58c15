/**
 * Resting files (tail/file-tailer.ts): a cold, fully acknowledged file keeps no reading state in memory and
 * a restart adopts it from its checkpoint without opening it. These tests hold that to the guarantees:
 * nothing acknowledged is re-sent, nothing changed is missed, a rewrite is a new identity from byte 0.
 * The bus is the kit's in-process bus (msg-id dedup included); every publish is recorded on its way through.
 */
import { appendFileSync, mkdirSync, readFileSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeTrustedBatch, topology } from '@cctap/events';
import { createInProcessBus, type Bus } from '@cctap/kit';
import { CHECKPOINT_FILE } from '../checkpoint/checkpoint-store.js';
import { tempDirs } from '../testing/temp-dirs.js';
import { createCollector, type CollectorService } from './collector.js';
import type { CollectorOptions } from './options.js';

interface Sent {
  fileId: string;
  path: string;
  from: number;
  to: number;
  duplicate: boolean;
}

const running: CollectorService[] = [];
const { make: tmp, removeAll } = tempDirs('cctap-resting-');
afterEach(async () => {
  for (const c of running.splice(0)) await c.stop('test');
  removeAll();
});

let seq = 0;
const line = (text: string) =>
  `${JSON.stringify({ type: 'user', uuid: `u-${++seq}`, sessionId: 's', timestamp: '2026-01-01T00:00:00.000Z', cwd: '/w', message: { role: 'user', content: text } })}\n`;
const DAY = 86_400_000;

/** A tree of `n` transcripts with old mtimes (cold from the start). */
function tree(n: number): { root: string; files: string[] } {
  const root = tmp();
  const dir = join(root, 'projects', '-w');
  mkdirSync(dir, { recursive: true });
  const old = new Date(Date.now() - 30 * DAY);
  const files = Array.from({ length: n }, (_, i) => {
    const f = join(dir, `s-${i}.jsonl`);
    writeFileSync(f, line(`first of ${i}`) + line(`second of ${i}`));
    utimesSync(f, old, old);
    return f;
  });
  return { root, files };
}

function recordingBus() {
  const inner = createInProcessBus({ topology: topology('t'), consumers: [] });
  const sent: Sent[] = [];
  const bus: Pick<Bus, 'publish'> = {
    publish: async (subject, data, opts) => {
      const ack = await inner.publish(subject, data, opts);
      const b = decodeTrustedBatch(data);
      if (b.source.fileId !== 'heartbeat')
        sent.push({
          fileId: b.source.fileId,
          path: b.source.path,
          from: b.source.from,
          to: b.source.to,
          duplicate: ack.duplicate,
        });
      return ack;
    },
  };
  return { bus, sent, close: () => inner.close() };
}

function collector(
  bus: Pick<Bus, 'publish'>,
  root: string,
  stateDir: string,
  o: Partial<CollectorOptions> = {},
): CollectorService {
  const c = createCollector({
    bus,
    roots: [root],
    stateDir,
    host: 'h',
    user: 'u',
    privacy: 'full',
    heartbeatMs: 0,
    subjectPrefix: 't',
    sweepMs: 50,
    fullSweepMs: 200,
    trailingMs: 20,
    checkpointFlushMs: 10,
    ...o,
  });
  running.push(c);
  return c;
}

async function waitFor(what: string, fn: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!fn()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Live collector, backfilled: resolves once `backfill-done` was announced. */
async function live(
  bus: Pick<Bus, 'publish'>,
  root: string,
  stateDir: string,
  o: Partial<CollectorOptions> = {},
): Promise<CollectorService> {
  const c = collector(bus, root, stateDir, o);
  const done = new Promise((resolve) => c.events.once('backfill-done', resolve));
  await c.start();
  await done;
  return c;
}

const stored = (sent: Sent[]) => sent.filter((s) => !s.duplicate);

describe('resting files', () => {
  it('a restart adopts unchanged files without opening them, re-sends nothing, and resumes one when it grows', async () => {
    const { root, files } = tree(20);
    const state = tmp();
    const r = recordingBus();
    await collector(r.bus, root, state, { watch: false }).runOnce();
    const firstRun = stored(r.sent);
    expect(new Set(firstRun.map((s) => s.path)).size).toBe(20);
    // The shutdown recorded size and mtime of every caught-up file.
    const cps = Object.values(
      (
        JSON.parse(readFileSync(join(state, CHECKPOINT_FILE), 'utf8')) as {
          files: Record<string, { mtimeMs?: number; offset: number }>;
        }
      ).files,
    );
    expect(cps).toHaveLength(20);
    expect(cps.every((e) => typeof e.mtimeMs === 'number')).toBe(true);

    r.sent.length = 0;
    const c = await live(r.bus, root, state);
    expect(c.health()).toMatchObject({ files: 20, filesIdentified: 0 });
    expect(r.sent).toEqual([]);

    const f = files[3]!;
    const before = statSync(f).size;
    appendFileSync(f, line('third'));
    await waitFor('the appended line', () => r.sent.length > 0);
    const idOf3 = firstRun.find((s) => s.path === f)!.fileId;
    expect(stored(r.sent)).toEqual([{ fileId: idOf3, path: f, from: before, to: statSync(f).size, duplicate: false }]);
    expect(c.health().filesIdentified).toBe(1);
    await r.close();
  });

  it('files changed while the collector was down are looked at: grown, rewritten to the same size, deleted', async () => {
    const { root, files } = tree(4);
    const state = tmp();
    const r = recordingBus();
    await collector(r.bus, root, state, { watch: false }).runOnce();
    const idOf = (p: string) => r.sent.find((s) => s.path === p)!.fileId;
    const [grown, rewritten, deleted, untouched] = files as [string, string, string, string];
    const grownFrom = statSync(grown).size;
    appendFileSync(grown, line('more'));
    // Same size, other lines (other uuids, so another head and mtime): a new identity read from byte 0.
    const old = readFileSync(rewritten, 'utf8');
    writeFileSync(rewritten, old.replace('first', 'FIRST').replaceAll('"u-', '"v-'));
    expect(statSync(rewritten).size).toBe(old.length);
    unlinkSync(deleted);
    const ids = { grown: idOf(grown), rewritten: idOf(rewritten), deleted: idOf(deleted) };

    r.sent.length = 0;
    const c = await live(r.bus, root, state);
    const got = stored(r.sent);
    expect(got.filter((s) => s.path === grown)).toEqual([
      { fileId: ids.grown, path: grown, from: grownFrom, to: statSync(grown).size, duplicate: false },
    ]);
    const re = got.filter((s) => s.path === rewritten);
    expect(re).toHaveLength(1);
    expect(re[0]).toMatchObject({ from: 0, to: old.length });
    expect(re[0]!.fileId).not.toBe(ids.rewritten);
    expect(got.filter((s) => s.path === untouched)).toEqual([]);
    expect(c.health().files).toBe(3);
    await c.stop('test');
    const cps = (JSON.parse(readFileSync(join(state, CHECKPOINT_FILE), 'utf8')) as { files: Record<string, unknown> })
      .files;
    expect(Object.keys(cps)).not.toContain(ids.deleted);
    expect(Object.keys(cps)).not.toContain(ids.rewritten);
    expect(Object.keys(cps)).toHaveLength(3);
    await r.close();
  });

  it('a checkpoint written before mtimes were recorded is still honoured (identified by its head, nothing re-sent)', async () => {
    const { root } = tree(5);
    const state = tmp();
    const r = recordingBus();
    await collector(r.bus, root, state, { watch: false }).runOnce();
    const file = join(state, CHECKPOINT_FILE);
    const doc = JSON.parse(readFileSync(file, 'utf8')) as { files: Record<string, { mtimeMs?: number }> };
    for (const e of Object.values(doc.files)) delete e.mtimeMs;
    writeFileSync(file, JSON.stringify(doc));

    r.sent.length = 0;
    const c = await live(r.bus, root, state);
    expect(r.sent).toEqual([]);
    expect(c.health().files).toBe(5);
    await r.close();
  });

  it('a live file that goes cold comes to rest; it resumes at its checkpoint, and a rewrite or truncation starts a new identity', async () => {
    const root = tmp();
    const state = tmp();
    mkdirSync(join(root, 'projects', '-w'), { recursive: true });
    const r = recordingBus();
    // Hot for 100 ms only, so files come to rest within a few sweeps.
    const c = await live(r.bus, root, state, { hotWindowMs: 100 });
    const f = join(root, 'projects', '-w', 'live.jsonl');
    appendFileSync(f, line('one'));
    await waitFor('the first line', () => r.sent.length === 1);
    await waitFor('the file to come to rest', () => c.health().filesIdentified === 0);
    const firstId = r.sent[0]!.fileId;

    const size1 = statSync(f).size;
    appendFileSync(f, line('two'));
    await waitFor('the second line', () => r.sent.length === 2);
    expect(r.sent[1]).toEqual({ fileId: firstId, path: f, from: size1, to: statSync(f).size, duplicate: false });
    await waitFor('rest again', () => c.health().filesIdentified === 0);

    // Rewritten in place with a longer, different first line: new content in the same inode.
    writeFileSync(f, line('a different and longer first line') + line('x'));
    await waitFor('the rewrite', () => r.sent.length === 3);
    expect(r.sent[2]).toMatchObject({ from: 0, to: statSync(f).size, duplicate: false });
    const secondId = r.sent[2]!.fileId;
    expect(secondId).not.toBe(firstId);
    await waitFor('rest again', () => c.health().filesIdentified === 0);

    // Truncated below the checkpoint (the same first line, so the same head): read again from byte 0, where
    // the one line left was delivered already, so nothing is published; the next line is.
    const identities: string[] = [];
    c.events.on('file', (e) => identities.push(e.reason));
    const keep = readFileSync(f, 'utf8').split('\n')[0]! + '\n';
    writeFileSync(f, keep);
    await waitFor('the truncation', () => identities.includes('new'));
    // Read to its end and at rest before the next line, so that line is a batch of its own (under load the
    // append could otherwise land before that read and both lines come as one batch from byte 0).
    await waitFor('rest after the truncation', () => c.health().filesIdentified === 0);
    appendFileSync(f, line('after the truncation'));
    await waitFor('the line after the truncation', () => r.sent.length === 4);
    expect(r.sent[3]).toMatchObject({ from: keep.length, to: statSync(f).size });
    await c.stop('test');
    const cps = (
      JSON.parse(readFileSync(join(state, CHECKPOINT_FILE), 'utf8')) as { files: Record<string, { offset: number }> }
    ).files;
    // Only the live identity keeps a checkpoint; the replaced contents' entries are gone.
    expect(Object.keys(cps)).not.toContain(firstId);
    expect(Object.values(cps).map((e) => e.offset)).toEqual([statSync(f).size]);
    await r.close();
  });
});
