/**
 * A store filled from a benchmark corpus the way a user fills one: `cctap up --once --root <corpus> --data <dir>`
 * (the real binary, in-process bus, embedded ClickHouse). Kept under bench/out/ (git-ignored), keyed by corpus
 * size and seed, and reused while its marker says the build finished; a build stopped half-way has no marker
 * and is started again from nothing. The data directory also holds up's collector checkpoints, so a later
 * `cctap up` on it resumes instead of reading the corpus again.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cctapEnv } from './cctap-env.js';

const CLI = fileURLToPath(new URL('../../../apps/cctap/dist/main.js', import.meta.url));
const MARKER = 'built.json';

class StoreBuildError extends Error {
  override readonly name = 'StoreBuildError';
}

export interface CachedStore {
  /** What `--data` is given. */
  data: string;
  /** False when an earlier run's store was reused. */
  built: boolean;
  /** Wall time of the `up --once` that filled it (then or in the earlier run). */
  buildSeconds: number;
}

interface Marker {
  size: number;
  seed: number;
  corpus: string;
  buildSeconds: number;
  builtAt: string;
}

export async function ensureUpStore(
  benchOut: string,
  corpus: { dir: string; size: number; seed: number },
  opts: { rebuild?: boolean; label?: string; onBuild?: () => void } = {},
): Promise<CachedStore> {
  const dir = join(benchOut, `${opts.label ?? 'up-store'}-${corpus.size}-seed${corpus.seed}`);
  const data = join(dir, 'data');
  const markerPath = join(dir, MARKER);
  if (!opts.rebuild && existsSync(markerPath)) {
    const m = JSON.parse(readFileSync(markerPath, 'utf8')) as Marker;
    if (m.size === corpus.size && m.seed === corpus.seed && existsSync(data))
      return { data, built: false, buildSeconds: m.buildSeconds };
  }
  opts.onBuild?.();
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  // An empty HOME: no price file, guard decisions or other settings of this machine's user take part.
  const home = mkdtempSync(join(tmpdir(), 'bench-up-store-home-'));
  try {
    const t0 = performance.now();
    const up = spawn(
      process.execPath,
      [CLI, 'up', '--once', '--root', corpus.dir, '--data', data, '--metrics-port', '0', '--log-format', 'json'],
      { env: { ...cctapEnv(), HOME: home }, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    up.stderr.on('data', (c: Buffer) => {
      // Only the tail is shown when it fails; a 1 GB backfill logs more than is worth holding.
      stderr = (stderr + c.toString()).slice(-20_000);
    });
    const code = await new Promise<number | null>((resolve, reject) => {
      up.on('error', reject);
      up.on('close', resolve);
    });
    const buildSeconds = (performance.now() - t0) / 1000;
    if (code !== 0) throw new StoreBuildError(`cctap up --once exited with ${code}\n${stderr.slice(-2000)}`);
    const marker: Marker = {
      size: corpus.size,
      seed: corpus.seed,
      corpus: corpus.dir,
      buildSeconds,
      builtAt: new Date().toISOString(),
    };
    writeFileSync(markerPath, `${JSON.stringify(marker, null, 2)}\n`);
    return { data, built: true, buildSeconds };
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}
