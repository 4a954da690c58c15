import { mkdtempSync, rmSync, statfsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { sourceEntries } from './scripts/workspace-sources.mjs';

// Tests run against the TypeScript sources of the workspace packages (no build needed for unit tests): each
// `@cctap/…` export resolves to its source file (scripts/workspace-sources.mjs). End-to-end tests that spawn
// the `cctap` binary use the built dist, which `npm test` builds first.
const alias = Object.fromEntries(
  [...sourceEntries()].map(([spec, file]) => [spec, fileURLToPath(new URL(`./${file}`, import.meta.url))]),
);

/**
 * The tests and the processes they start (stores, checkpoints, corpora, nats-servers' data) create and delete
 * thousands of small files under the temporary directory. On a tmpfs that costs a fraction of what it costs on a
 * disk file system: on an ext4 without a journal, after a few runs, creating a file scans recently deleted inodes
 * (a full run: 418 s of vitest on /tmp, 368 s on /dev/shm). So unless TMPDIR is set, a directory of this run
 * on /dev/shm is the temporary directory of every test process (they inherit it), when it has room to spare.
 * It is removed at the end, so a run asked to keep its work directory (CCTAP_CHAOS_KEEP=1) stays on the
 * system's. The disk-full test makes its own small tmpfs either way.
 */
function tmpfsTempDir(): string | null {
  if (process.env.TMPDIR || process.env.CCTAP_CHAOS_KEEP === '1') return null;
  try {
    const fs = statfsSync('/dev/shm');
    if (fs.bavail * fs.bsize < 4 * 1024 ** 3) return null;
    const dir = mkdtempSync(join('/dev/shm', 'cctap-test-'));
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
    return dir;
  } catch {
    return null; // no /dev/shm (not Linux) or not writable: the system's temporary directory
  }
}
const tmp = tmpfsTempDir();
if (tmp) process.env.TMPDIR = tmp;

/** Where a file's process time goes: the chaos runs, then the files that run `cctap` and servers, then the rest. */
const rank = (f: TestSpecification): number =>
  f.moduleId.includes('/test/chaos/') ? 0 : f.moduleId.includes('/test/e2e/') ? 1 : 2;

/**
 * The longest files first, so the last minute is not one long file running alone. Vitest orders by the last
 * run's durations when it has them and by file size on a fresh checkout (CI), where the short chaos run, a
 * small file, would start last; the rank keeps what is known to be long in front either way.
 */
class LongFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const at = new Map(sorted.map((f, i) => [f, i]));
    return sorted.sort((a, b) => rank(a) - rank(b) || at.get(a)! - at.get(b)!);
  }
}

export default defineConfig({
  resolve: { alias },
  test: {
    // OS processes, not threads: the embedded ClickHouse binds one data directory per process, so two files
    // with a store open at once must not share one. A process runs its files one after the other without
    // loading the modules again (isolate: false): every file closes what it opened (its stores, servers and
    // connections), and the load per file was a third of the suite's time on two cores.
    pool: 'forks',
    isolate: false,
    sequence: { sequencer: LongFirst },
    // Three, on two cores: most integration files spend their time waiting on the processes they started.
    maxWorkers: 3,
    projects: [
      {
        resolve: { alias },
        test: {
          name: 'unit',
          include: ['packages/*/src/**/*.test.ts', 'services/*/src/**/*.test.ts', 'apps/*/src/**/*.test.ts'],
          pool: 'forks',
          isolate: false,
          testTimeout: 20_000,
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          exclude: ['test/dist/**'],
          pool: 'forks',
          isolate: false,
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
