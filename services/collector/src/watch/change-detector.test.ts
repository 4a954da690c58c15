/**
 * The change detector reports what it sees as events and moves files in and out of the registry's hot set;
 * it holds no reference to the tailer. Real files, real directory watches, sweeps on short periods.
 */
import { once } from 'node:events';
import { appendFileSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createMetrics, silentLogger } from '@cctap/kit';
import { TreeScanner } from '../discovery/tree-scanner.js';
import { collectorMetrics } from '../metrics.js';
import { FileRegistry } from '../tail/file-registry.js';
import type { Tracked } from '../tail/tracked-file.js';
import { tempDirs } from '../testing/temp-dirs.js';
import { ChangeDetector } from './change-detector.js';
import { DirectoryWatcher } from './directory-watcher.js';

const { make: tmp, removeAll } = tempDirs('cctap-detector-');
const stops: Array<() => void> = [];
afterEach(() => {
  for (const s of stops.splice(0)) s();
  removeAll();
});

function setup() {
  const root = tmp();
  const dir = join(root, 'projects', '-w');
  mkdirSync(dir, { recursive: true });
  const files = new FileRegistry();
  const watcher = new DirectoryWatcher();
  const m = collectorMetrics(createMetrics('collector', { defaultMetrics: false }));
  const scanner = new TreeScanner([root], watcher, m, silentLogger);
  const halt = new AbortController();
  const detector = new ChangeDetector({
    watcher,
    scanner,
    files,
    stopping: halt.signal,
    sweepMs: 10,
    fullSweepMs: 25,
    hotWindowMs: 60_000,
    trailingMs: 10,
  });
  stops.push(() => {
    halt.abort();
    detector.stop();
    watcher.close();
  });
  const dirty = new Set<string>();
  detector.events.on('dirty', (p) => dirty.add(p));
  scanner.scanAll(true);
  return { dir, files, detector, dirty };
}

/** Tracks `path` as read to its end at its current size and mtime, last changed `changedAt`. */
function trackAsRead(files: FileRegistry, path: string, changedAt: number): Tracked {
  const st = statSync(path);
  const t: Tracked = {
    key: `${st.dev}:${st.ino}`,
    dev: st.dev,
    ino: st.ino,
    paths: [path],
    fh: null,
    readPos: st.size,
    id: null,
    restingFileId: 'f',
    lastSize: st.size,
    lastMtimeMs: st.mtimeMs,
    lastChangeAt: changedAt,
    lastUsedAt: 0,
  };
  files.track(t);
  return t;
}

describe('ChangeDetector', () => {
  it('a watch hint naming a transcript heats it in the registry and reports it dirty', () => {
    const { dir, files, detector, dirty } = setup();
    const path = join(dir, 's.jsonl');
    writeFileSync(path, '{}\n');
    const t = trackAsRead(files, path, 0);
    detector.onHint(dir, path);
    expect(dirty.has(path)).toBe(true);
    expect(files.hot.has(t)).toBe(true);
    expect(t.lastChangeAt).toBeGreaterThan(0);
  });

  it('the hot sweep reports a grown hot file dirty, and cools and reports one whose hot window passed', async () => {
    const { dir, files, detector, dirty } = setup();
    const grown = join(dir, 'grown.jsonl');
    const cold = join(dir, 'cold.jsonl');
    writeFileSync(grown, '{}\n');
    writeFileSync(cold, '{}\n');
    const g = trackAsRead(files, grown, Date.now());
    const c = trackAsRead(files, cold, 0); // changed long ago, in a watched directory, no descriptor: cold
    files.heat(g);
    files.heat(c);
    appendFileSync(grown, '{}\n');
    const cooled: Tracked[] = [];
    detector.events.on('cold', (t) => cooled.push(t));
    detector.start();
    await once(detector.events, 'swept');
    expect(dirty.has(grown)).toBe(true);
    expect(dirty.has(cold)).toBe(false);
    expect(cooled).toContain(c);
    expect([...files.hot]).toEqual([g]);
  });

  it('the full sweep reports new files in the tree and retries denied paths', async () => {
    const { dir, files, detector, dirty } = setup();
    files.deny('/nowhere/denied.jsonl');
    const fresh = join(dir, 'new.jsonl');
    writeFileSync(fresh, '{}\n');
    detector.start();
    while ((await once(detector.events, 'swept'))[0] !== true);
    expect(dirty.has('/nowhere/denied.jsonl')).toBe(true);
    expect(dirty.has(fresh)).toBe(true);
  });
});
