import { mkdtempSync, rmSync, statfsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

// Tests run against the TypeScript sources of the workspace packages (no build needed for unit tests);
// end-to-end tests that spawn the `cctap` binary use the built dist, which `npm test` builds first.
const src = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const alias = {
  '@cctap/events/ajv': src('./packages/events/src/ajv/index.ts'),
  '@cctap/events/testing': src('./packages/events/src/testing/index.ts'),
  '@cctap/events/internal': src('./packages/events/src/internal.ts'),
  '@cctap/events': src('./packages/events/src/index.ts'),
  '@cctap/transcript': src('./packages/transcript/src/index.ts'),
  '@cctap/prices/internal': src('./packages/prices/src/internal.ts'),
  '@cctap/prices': src('./packages/prices/src/index.ts'),
  '@cctap/kit/internal': src('./packages/kit/src/internal.ts'),
  '@cctap/kit/light': src('./packages/kit/src/light.ts'),
  '@cctap/kit/shape': src('./packages/kit/src/shape.ts'),
  '@cctap/kit': src('./packages/kit/src/index.ts'),
  '@cctap/collector/internal': src('./services/collector/src/internal.ts'),
  '@cctap/collector/shape': src('./services/collector/src/collect-shape.ts'),
  '@cctap/collector': src('./services/collector/src/index.ts'),
  '@cctap/validator/internal': src('./services/validator/src/internal.ts'),
  '@cctap/validator': src('./services/validator/src/index.ts'),
  '@cctap/analyzer/internal': src('./services/analyzer/src/internal.ts'),
  '@cctap/analyzer': src('./services/analyzer/src/index.ts'),
  '@cctap/alerter/testing': src('./services/alerter/src/testing/index.ts'),
  '@cctap/alerter/internal': src('./services/alerter/src/internal.ts'),
  '@cctap/alerter/guard/rule-file': src('./services/alerter/src/guard/rule-file.ts'),
  '@cctap/alerter/guard': src('./services/alerter/src/guard/index.ts'),
  '@cctap/alerter': src('./services/alerter/src/index.ts'),
  '@cctap/store/testing': src('./packages/store/src/testing/temp-store.ts'),
  '@cctap/store/internal': src('./packages/store/src/internal.ts'),
  '@cctap/store/light': src('./packages/store/src/light.ts'),
  '@cctap/store': src('./packages/store/src/index.ts'),
  '@cctap/reports/period': src('./packages/reports/src/period-entry.ts'),
  '@cctap/reports': src('./packages/reports/src/index.ts'),
  '@cctap/sink/testing': src('./services/sink/src/testing/index.ts'),
  '@cctap/sink/internal': src('./services/sink/src/internal.ts'),
  '@cctap/sink/shape': src('./services/sink/src/service/sink-config.ts'),
  '@cctap/sink': src('./services/sink/src/index.ts'),
  '@cctap/cli': src('./apps/cctap/src/index.ts'),
};

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
