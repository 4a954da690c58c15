/**
 * Faults during backfill: the NATS server stops and comes back; the collector restarts over its own
 * checkpoints. After each, every file must be covered [0, size) with no gap, stored batches of one file
 * must never overlap (a re-send is either the identical range, dropped by msg-id dedup, or nothing).
 */
import { describe, expect, it } from 'vitest';
import { coverage, fileBatches, harnessPerFile } from './support/harness.js';
import { buildCorpus } from './support/corpus.js';
import { startCollector } from './support/transcripts.js';
import type { Batch } from '@cctap/events';

const env = harnessPerFile({ publishTimeoutMs: 1000 });

function expectComplete(bs: Batch[], sizes: Map<string, number>): void {
  const cov = coverage(bs);
  expect(cov.overlaps).toEqual([]);
  const byPath = new Map<string, string>();
  for (const b of fileBatches(bs)) byPath.set(b.source.path, b.source.fileId);
  for (const [path, size] of sizes) {
    const id = byPath.get(path);
    expect(id, path).toBeDefined();
    expect(cov.ranges.get(id!), path).toEqual([[0, size]]);
  }
}

describe('collector under faults', () => {
  it('nats-server stopped mid-backfill and restarted: nothing lost, no gap, no overlap', async () => {
    const root = env.dir('root');
    const stateDir = env.dir('state');
    const sizes = buildCorpus(root, 6);
    const host = 'fault-nats';
    const c = startCollector(env.h, { roots: [root], stateDir, host, watch: false, maxInFlight: 4, batchLines: 64 });
    let stopped = false;
    // Settled until the progress handler replaces it with the restart, which the test then awaits.
    let restarted: Promise<void> = Promise.resolve();
    c.events.on('progress', (p) => {
      if (!stopped && p.eventsPublished > 0) {
        stopped = true;
        restarted = (async () => {
          await env.h.nats.stop();
          await new Promise((r) => setTimeout(r, 1500));
          await env.h.nats.start();
        })();
      }
    });
    await c.start();
    await c.idle();
    await restarted;
    await c.stop();
    expect(stopped).toBe(true);
    expectComplete(await env.h.batches(host), sizes);
  });

  it('a restart over the same checkpoints re-sends nothing already acknowledged', async () => {
    const root = env.dir('root');
    const stateDir = env.dir('state');
    const sizes = buildCorpus(root, 1);
    const host = 'fault-restart';
    await startCollector(env.h, { roots: [root], stateDir, host, watch: false }).runOnce();
    const first = await env.h.batches(host);
    expectComplete(first, sizes);
    await startCollector(env.h, { roots: [root], stateDir, host, watch: false }).runOnce();
    const second = await env.h.batches(host);
    // Not even a duplicate publish: the stream holds exactly what it held.
    expect(second.length).toBe(first.length);
    // A control: without the checkpoints, the same collector does publish again (dedup then drops them).
    const fresh = env.dir('state');
    let published = 0;
    const c = startCollector(env.h, { roots: [root], stateDir: fresh, host, watch: false });
    await c.runOnce().then((p) => (published = p.eventsPublished));
    expect(published).toBeGreaterThan(0);
    expect((await env.h.batches(host)).length).toBe(first.length);
  });
});
