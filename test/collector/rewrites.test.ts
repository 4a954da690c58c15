/**
 * The collector against transcripts Claude Code rewrites (test/support/claude-rewrites.ts), with a real
 * nats-server: whatever the rewrite, and whether the collector was running, resting or stopped when it
 * happened, what JetStream receives holds every line ever written once (each event id once, every uuid,
 * every distinct metadata line), and nothing that was already delivered.
 */
import { readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileId, type CctapEvent } from '@cctap/events';
import type { Logger } from '@cctap/kit';
import {
  compactTranscript,
  dropUuids,
  reappendMetadata,
  removeLineInPlace,
  uuidOfLine,
} from '../support/claude-rewrites.js';
import type { CollectorService } from '@cctap/collector';
import { RewriteSession } from '../support/rewrite-session.js';
import { fileBatches, harnessPerFile, waitFor } from './support/harness.js';
import { settled, startCollector } from './support/transcripts.js';

const env = harnessPerFile();
let hostSeq = 0;

interface Setup {
  root: string;
  stateDir: string;
  host: string;
  s: RewriteSession;
}

function setup(): Setup {
  const root = env.dir('root');
  const stateDir = env.dir('state');
  const s = new RewriteSession(join(root, 'projects', '-work-app'), '/work/app', new Date('2026-03-01T10:00:00.000Z'));
  s.append(s.metadataLines(''));
  for (let i = 0; i < 3; i++) s.appendTurn();
  return { root, stateDir, host: `rewrite-${process.pid}-${++hostSeq}`, s };
}

const once = (x: Setup) =>
  startCollector(env.h, { roots: [x.root], stateDir: x.stateDir, host: x.host, watch: false }).runOnce();

/** A new session whose first turns a running collector has stored. */
async function liveSession(): Promise<Setup & { c: CollectorService }> {
  const x = setup();
  const c = startCollector(env.h, { roots: [x.root], stateDir: x.stateDir, host: x.host });
  env.running.push(c);
  await c.start();
  await waitFor('the first turns', allStored(x), 10_000);
  return { ...x, c };
}

async function published(host: string): Promise<CctapEvent[]> {
  return fileBatches(await env.h.batches(host)).flatMap((b) => b.events);
}

/** Every event id once, every uuid ever written, every distinct metadata line once. */
function expectEachLineOnce(events: CctapEvent[], s: RewriteSession): void {
  const ids = events.map((e) => e.id);
  expect(ids.length - new Set(ids).size).toBe(0);
  expect(new Set(events.filter((e) => e.lineUuid).map((e) => e.lineUuid))).toEqual(s.uuids);
  expect(events.filter((e) => !e.lineUuid)).toHaveLength(s.metadata.size);
}

const allStored = (x: Setup) => async () => {
  const got = new Set((await published(x.host)).map((e) => e.lineUuid).filter(Boolean));
  return [...x.s.uuids].every((u) => got.has(u));
};

describe('collector: transcripts rewritten by Claude Code', () => {
  it('a tombstone removed in place and the file grown back past its old size while the collector was stopped', async () => {
    const x = setup();
    await once(x);
    const before = readFileSync(x.s.path).length;
    removeLineInPlace(x.s.path, x.s.turns[0]![4]!);
    while (readFileSync(x.s.path).length <= before + 10) x.s.appendTurn();
    await once(x);
    expectEachLineOnce(await published(x.host), x.s);
  });

  it('a tombstone removed in place while the file is open, then grown back past where the collector had read', async () => {
    const x = await liveSession();
    const before = readFileSync(x.s.path).length;
    // Removal and regrowth in one go, between two looks: the size alone says "appended".
    const text = readFileSync(x.s.path, 'utf8');
    const gone = x.s.turns[1]![0]!;
    removeLineInPlace(x.s.path, gone);
    const lost = text.length - readFileSync(x.s.path).length;
    while (readFileSync(x.s.path).length <= before) x.s.appendTurn();
    expect(lost).toBeGreaterThan(0);
    await waitFor('the turns after the removal', allStored(x), 10_000);
    await settled(x.c);
    expectEachLineOnce(await published(x.host), x.s);
  });

  it('metadata appended again, a tombstone removed in place and a turn appended at once, while the collector reads', async () => {
    // The removal can land between the look that sees the appended metadata and its read (the collector runs
    // in this process: the short waits let it get there). Repeated: where it lands varies.
    for (let round = 0; round < 30; round++) {
      const x = await liveSession();
      await new Promise((r) => setTimeout(r, (round % 5) * 7));
      reappendMetadata(x.s.path, x.s.metadataLines('step 3: look at src/3'));
      await new Promise((r) => setTimeout(r, round % 4));
      removeLineInPlace(x.s.path, x.s.turns[1]![4]!);
      x.s.appendTurn();
      await waitFor(`the turn after the removal (round ${round})`, allStored(x), 10_000);
      await new Promise((r) => setTimeout(r, 200));
      expectEachLineOnce(await published(x.host), x.s);
      for (const c of env.running.splice(0)) await c.stop();
    }
  });

  it('a line rewritten to the same size in an open (hot) file is read', async () => {
    const x = await liveSession();
    // The last metadata line, replaced by another of the same length: no size change, a new line.
    const text = readFileSync(x.s.path, 'utf8');
    const lines = text.split('\n').filter(Boolean);
    const last = lines[lines.length - 1]!;
    const other = last.replace('step 3', 'STEP 3');
    expect(other.length).toBe(last.length);
    writeFileSync(x.s.path, `${lines.slice(0, -1).join('\n')}\n${other}\n`);
    x.s.metadata.add(other);
    await waitFor(
      'the rewritten line',
      async () =>
        (await published(x.host)).some((e) => e.type === 'meta' && JSON.stringify(e.payload).includes('STEP 3')),
      10_000,
    );
    expectEachLineOnce(await published(x.host), x.s);
  });

  it('compaction (rename over) right after new lines, while the collector runs: each line once', async () => {
    const x = await liveSession();
    for (let round = 0; round < 3; round++) {
      // New lines, then at once the compaction that keeps them: their batch may still be in flight.
      x.s.appendTurn();
      const boundary = x.s.appendCompactBoundary();
      const keep = new Set([...x.s.turns.at(-1)!, boundary]);
      const kept = (l: string) => {
        const uuid = uuidOfLine(l);
        return !uuid || keep.has(uuid);
      };
      compactTranscript(x.s.path, kept, x.s.metadataLines(`step ${x.s.turns.length}: look at src/${x.s.turns.length}`));
      await waitFor('the compacted file', allStored(x), 10_000);
    }
    await settled(x.c);
    expectEachLineOnce(await published(x.host), x.s);
  });

  it('compaction (rename over) and metadata appended again while stopped: only the new lines are published', async () => {
    const x = setup();
    await once(x);
    const first = (await published(x.host)).length;
    x.s.appendCompactBoundary();
    const dropped = new Set(x.s.turns.slice(0, 2).flat());
    compactTranscript(x.s.path, dropUuids(dropped), x.s.metadataLines('step 3: look at src/3'));
    reappendMetadata(x.s.path, x.s.metadataLines('step 3: look at src/3'));
    await once(x);
    const events = await published(x.host);
    expectEachLineOnce(events, x.s);
    // The boundary is the one new line (one system event); the metadata appended again was delivered already.
    expect(events.length - first).toBe(1);
  });

  it('an identical metadata line appended after a restart is not published again', async () => {
    const x = setup();
    await once(x);
    const first = (await published(x.host)).length;
    reappendMetadata(x.s.path, x.s.metadataLines('step 3: look at src/3'));
    await once(x);
    expect((await published(x.host)).length).toBe(first);
  });

  it('a metadata line published but never acknowledged keeps its first time when a rewrite moves it', async () => {
    const x = setup();
    await once(x);
    // As if the acks of the metadata lines never came back: their delivered records are not there.
    const records = join(x.stateDir, 'delivered');
    const meta = readdirSync(records).filter((f) => f.endsWith('.meta'));
    expect(meta).toHaveLength(1);
    unlinkSync(join(records, meta[0]!));
    // Compaction drops the first turn: the metadata lines after it now come before every timestamped line,
    // where they would get the file's mtime (today) instead of the time of the line before them (March).
    const dropped = new Set(x.s.turns[0]);
    compactTranscript(x.s.path, dropUuids(dropped), []);
    await once(x);
    const metadata = (await published(x.host)).filter((e) => !e.lineUuid);
    const tsById = new Map<string, Set<string>>();
    for (const e of metadata) tsById.set(e.id, (tsById.get(e.id) ?? new Set()).add(e.ts));
    expect(tsById.size).toBe(x.s.metadata.size);
    expect(metadata.length).toBeGreaterThan(tsById.size); // published again: they were never acknowledged
    expect([...tsById.values()].filter((ts) => ts.size > 1)).toEqual([]);
  });

  it('a session acknowledged before records were kept: resuming it records what was acknowledged, its next rewrite publishes only new lines', async () => {
    const x = setup();
    await once(x);
    // As a collector from before delivered-line records left its state: checkpoints only.
    rmSync(join(x.stateDir, 'delivered'), { recursive: true });
    x.s.appendTurn();
    await once(x); // resumed at its checkpoint
    x.s.appendCompactBoundary();
    const dropped = new Set(x.s.turns[0]);
    compactTranscript(x.s.path, dropUuids(dropped), []);
    await once(x);
    expectEachLineOnce(await published(x.host), x.s);
  });

  it('a renumbered device resumes at the checkpoint: nothing is read again', async () => {
    const x = setup();
    await once(x);
    const n = (await published(x.host)).length;
    // The checkpoint as a collector wrote it when the same file sat on device number dev + 7.
    const file = join(x.stateDir, 'checkpoints.json');
    const doc = JSON.parse(readFileSync(file, 'utf8')) as {
      version: 1;
      files: Record<string, { dev: number; ino: number; headSha256: string }>;
    };
    const moved = Object.fromEntries(
      Object.values(doc.files).map((e) => [fileId(e.dev + 7, e.ino, e.headSha256), { ...e, dev: e.dev + 7 }]),
    );
    writeFileSync(file, JSON.stringify({ version: 1, files: moved }));
    const logs: string[] = [];
    const logger: Logger = {
      debug: () => undefined,
      info: (m) => void logs.push(m),
      warn: () => undefined,
      error: () => undefined,
      child: () => logger,
    };
    const c = startCollector(env.h, { roots: [x.root], stateDir: x.stateDir, host: x.host, watch: false, logger });
    await c.runOnce();
    expect(logs).toContain('device number changed; resuming at its checkpoint');
    expect(logs.some((m) => m.includes('read from byte 0'))).toBe(false);
    expect((await published(x.host)).length).toBe(n);
    const after = JSON.parse(readFileSync(file, 'utf8')) as { files: Record<string, { dev: number }> };
    expect(Object.values(after.files).map((e) => e.dev)).toEqual(Object.values(doc.files).map((e) => e.dev));
  });
});
