/**
 * A real nats-server with the cctap streams (provisioned by the kit) and helpers to read back what a
 * collector published and to check per-file byte coverage.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { CollectorService } from '@cctap/collector';
import { decodeTrustedBatch, topology, type Batch } from '@cctap/events';
import { connectNats, createJetStreamBus, provision, type JetStreamBus } from '@cctap/kit';
import { startNats, type TestNats } from '../../support/nats.js';

export interface Harness {
  nats: TestNats;
  nc: NatsConnection;
  bus: JetStreamBus;
  prefix: string;
  /** Every batch stored on the raw stream for `host`, in stream order. */
  batches(host: string): Promise<Batch[]>;
  dispose(): Promise<void>;
}

export async function startHarness(opts: { publishTimeoutMs?: number } = {}): Promise<Harness> {
  const nats = await startNats({ requireControl: true });
  const nc = await connectNats({ servers: nats.url, name: 'collector-test' });
  const prefix = `c${process.pid}`;
  await provision(nc, { prefix, maxBytes: 2 * 1024 ** 3 });
  const t = topology(prefix);
  const bus = createJetStreamBus(nc, { topology: t, publishTimeoutMs: opts.publishTimeoutMs ?? 2000 });
  return {
    nats,
    nc,
    bus,
    prefix,
    async batches(host: string) {
      const out: Batch[] = [];
      let from = 1;
      const subject = t.subjects.raw(host);
      while (true) {
        const page = await bus.read('raw', { fromSeq: from, max: 1000 });
        if (page.length === 0) break;
        for (const m of page) if (m.subject === subject) out.push(decodeTrustedBatch(m.data));
        from = page[page.length - 1]!.seq + 1;
      }
      return out;
    },
    async dispose() {
      await bus.close().catch(() => undefined);
      await nc.close().catch(() => undefined);
      await nats.dispose();
    },
  };
}

export interface HarnessFile {
  /** Started before the file's first test. */
  readonly h: Harness;
  /** Collectors to stop after each test. */
  readonly running: CollectorService[];
  /** A temporary directory, removed after the file's last test. */
  dir(name: string): string;
}

/** One harness per test file: collectors in `running` stopped after each test, everything removed at the end. */
export function harnessPerFile(opts: { publishTimeoutMs?: number } = {}): HarnessFile {
  let h: Harness | undefined;
  const running: CollectorService[] = [];
  const dirs: string[] = [];
  beforeAll(async () => {
    h = await startHarness(opts);
  });
  afterEach(async () => {
    for (const c of running.splice(0)) await c.stop();
  });
  afterAll(async () => {
    await h?.dispose();
    for (const d of dirs) removeDir(d);
  });
  return {
    get h() {
      if (!h) throw new Error('the harness is started in beforeAll');
      return h;
    },
    running,
    dir(name) {
      const d = tempDir(name);
      dirs.push(d);
      return d;
    },
  };
}

export function tempDir(name: string): string {
  return mkdtempSync(join(tmpdir(), `cctap-${name}-`));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** File batches only (heartbeats carry fileId 'heartbeat'). */
export const fileBatches = (bs: Batch[]) => bs.filter((b) => b.source.fileId !== 'heartbeat');

export interface Coverage {
  /** Merged [from, to) ranges per fileId. */
  ranges: Map<string, Array<[number, number]>>;
  /** Two stored batches of one file that overlap without being identical. */
  overlaps: string[];
}

export function coverage(bs: Batch[]): Coverage {
  const byFile = new Map<string, Array<[number, number]>>();
  for (const b of fileBatches(bs)) {
    const list = byFile.get(b.source.fileId) ?? [];
    list.push([b.source.from, b.source.to]);
    byFile.set(b.source.fileId, list);
  }
  const ranges = new Map<string, Array<[number, number]>>();
  const overlaps: string[] = [];
  for (const [id, list] of byFile) {
    list.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    const merged: Array<[number, number]> = [];
    for (const [f, t] of list) {
      const last = merged[merged.length - 1];
      if (last && f < last[1]) overlaps.push(`${id} [${f},${t}) overlaps [${last[0]},${last[1]})`);
      if (last && f <= last[1]) last[1] = Math.max(last[1], t);
      else merged.push([f, t]);
    }
    ranges.set(id, merged);
  }
  return { ranges, overlaps };
}

/** The fileIds whose batches came from `path`. */
export function idsOfPath(bs: Batch[], path: string): string[] {
  return [
    ...new Set(
      fileBatches(bs)
        .filter((b) => b.source.path === path)
        .map((b) => b.source.fileId),
    ),
  ];
}

export { waitFor } from '../../support/wait-for.js';
