/** Transcript lines shaped like Claude Code's, and a collector wired to a test harness. */
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createCollector, type CollectorService } from '@cctap/collector';
import type { CollectorOptions } from '@cctap/collector/internal';
import { silentLogger } from '@cctap/kit';
import type { Harness } from './harness.js';
import { coverage, idsOfPath, waitFor } from './harness.js';

let seq = 0;

export function userLine(text: string, sessionId = 's-1'): string {
  seq += 1;
  return `${JSON.stringify({
    type: 'user',
    uuid: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
    parentUuid: null,
    sessionId,
    timestamp: new Date(Date.UTC(2026, 0, 1, 0, 0, seq % 60)).toISOString(),
    cwd: '/work/proj',
    version: '2.1.39',
    gitBranch: 'main',
    isSidechain: false,
    userType: 'external',
    message: { role: 'user', content: text },
  })}\n`;
}

export function append(path: string, text: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  appendFileSync(path, text);
}

export const projectFile = (root: string, project: string, name: string) => join(root, 'projects', project, name);

export function startCollector(
  h: Harness,
  o: Partial<CollectorOptions> & { roots: string[]; stateDir: string; host: string },
): CollectorService {
  return createCollector({
    bus: h.bus,
    user: 'tester',
    privacy: 'full',
    subjectPrefix: h.prefix,
    sweepMs: 200,
    fullSweepMs: 500,
    trailingMs: 50,
    heartbeatMs: 0,
    checkpointFlushMs: 20,
    logger: silentLogger,
    ...o,
  });
}

/**
 * Resolves once a running collector has looked at every file after this call (two full sweeps: the first may
 * have begun before the caller's last write) and has nothing queued or in flight: the signal a "nothing more
 * arrives" check waits for, instead of a fixed sleep.
 */
export async function settled(c: CollectorService, timeoutMs = 10_000): Promise<void> {
  let full = 0;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      c.events.off('swept', onSwept);
      reject(new Error(`the collector did not sweep twice within ${timeoutMs} ms`));
    }, timeoutMs);
    const onSwept = (isFull: boolean) => {
      if (isFull && ++full === 2) {
        clearTimeout(timer);
        c.events.off('swept', onSwept);
        resolve();
      }
    };
    c.events.on('swept', onSwept);
  });
  await c.idle();
}

/** Waits until one identity of `path` has batches covering exactly [0, size) and returns its fileId. */
export async function waitCovered(
  h: Harness,
  host: string,
  path: string,
  size: number,
  timeoutMs = 10_000,
): Promise<string> {
  return waitFor(
    `coverage of ${path} up to ${size}`,
    async () => {
      const bs = await h.batches(host);
      const cov = coverage(bs);
      for (const id of idsOfPath(bs, path)) {
        const r = cov.ranges.get(id);
        if (r && r.length === 1 && r[0]![0] === 0 && r[0]![1] === size) return id;
      }
      return undefined;
    },
    timeoutMs,
  );
}
