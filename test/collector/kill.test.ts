/**
 * SIGKILL of the collector process mid-backfill, then a restart over the same state directory: every file
 * is covered [0, size) and stored batches never overlap (re-sent ranges are identical, dropped by msg-id
 * dedup). Runs the real command, `node apps/cctap/dist/main.js collect --once ...`, built by `npm test`'s
 * typecheck step (`tsc -b`; locally `npx tsc -b apps/cctap`).
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CHECKPOINT_FILE } from '@cctap/collector/internal';
import { REPO_ROOT } from '../support/paths.js';
import { coverage, fileBatches, harnessPerFile, waitFor } from './support/harness.js';
import { buildCorpus } from './support/corpus.js';

const CLI = join(REPO_ROOT, 'apps/cctap/dist/main.js');

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build the CLI first (npx tsc -b apps/cctap)`);
});
const env = harnessPerFile();

function run(args: string[]) {
  const child = spawn(process.execPath, [CLI, 'collect', ...args], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, exited };
}

describe('collector killed with SIGKILL', () => {
  it('restarts from its checkpoints with no loss and no overlapping re-send', async () => {
    const root = env.dir('root');
    const stateDir = env.dir('state');
    const sizes = buildCorpus(root, 8);
    const host = 'killed';
    // Small batches, a narrow window and frequent checkpoint writes: the kill lands mid-backfill.
    const args = [
      '--nats',
      env.h.nats.url,
      '--prefix',
      env.h.prefix,
      '--root',
      root,
      '--state',
      stateDir,
      '--host',
      host,
      '--os-user',
      'tester',
      '--privacy',
      'full',
      '--once',
      '--checkpoint-flush-ms',
      '20',
      '--max-in-flight',
      '8',
      '--batch-lines',
      '64',
      '--log-level',
      'warn',
    ];

    const first = run(args);
    // Kill once some checkpoints are on disk and the stream holds some, but not all, of the data.
    await waitFor(
      'first checkpoints',
      () => {
        try {
          const files = JSON.parse(readFileSync(join(stateDir, CHECKPOINT_FILE), 'utf8')).files as Record<
            string,
            { offset: number }
          >;
          return Object.values(files).some((f) => f.offset > 0);
        } catch {
          return false;
        }
      },
      30_000,
    );
    first.child.kill('SIGKILL');
    expect(await first.exited).toBeNull();
    const partial = fileBatches(await env.h.batches(host));
    const total = [...sizes.values()].reduce((a, b) => a + b, 0);
    const coveredBefore = partial.reduce((a, b) => a + (b.source.to - b.source.from), 0);
    expect(coveredBefore).toBeLessThan(total);

    const second = run(args);
    expect(await second.exited).toBe(0);

    const bs = await env.h.batches(host);
    const cov = coverage(bs);
    expect(cov.overlaps).toEqual([]);
    const idOf = new Map(fileBatches(bs).map((b) => [b.source.path, b.source.fileId]));
    for (const [path, size] of sizes) expect(cov.ranges.get(idOf.get(path)!), path).toEqual([[0, size]]);
  });
});
