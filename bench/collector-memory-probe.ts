/**
 * Preloaded into the collector child by the idle benchmark (`node --import <this> ...`): on SIGUSR2 it
 * writes one JSON log line, msg "memory", with `process.memoryUsage()` and the anonymous/file-backed split
 * of the RSS from /proc, so the benchmark can say where the memory goes (V8 heap, external buffers, code
 * and the node binary) without attaching a debugger. With BENCH_HEAP_SNAPSHOT_DIR set it also writes a heap
 * snapshot there. Nothing here runs unless the signal arrives.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getHeapSpaceStatistics, writeHeapSnapshot } from 'node:v8';

const kb = (status: string, key: string): number =>
  Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) * 1024;

process.on('SIGUSR2', () => {
  const m = process.memoryUsage();
  let rssAnon = 0;
  let rssFile = 0;
  try {
    const status = readFileSync('/proc/self/status', 'utf8');
    rssAnon = kb(status, 'RssAnon');
    rssFile = kb(status, 'RssFile');
  } catch {
    // not Linux: the split stays 0
  }
  // Anonymous RSS by kind: the brk heap (malloc's main arena), the V8 heap's own pages are counted above,
  // and every other anonymous mapping (thread arenas, V8 pages, stacks) in `anonOther`.
  let brkHeap = 0;
  let anonMaps = 0;
  try {
    let current = '';
    for (const l of readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
      const head = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(l);
      if (head) current = head[1] ?? '';
      else if (l.startsWith('Rss:')) {
        const bytes = Number(/(\d+)/.exec(l)?.[1] ?? 0) * 1024;
        if (current === '[heap]') brkHeap += bytes;
        else if (current === '') anonMaps += bytes;
      }
    }
  } catch {
    // not Linux
  }
  const dir = process.env.BENCH_HEAP_SNAPSHOT_DIR;
  const snapshot = dir ? writeHeapSnapshot(join(dir, `collector-${process.pid}-${Date.now()}.heapsnapshot`)) : null;
  // Committed size per V8 space (new_space is the young generation, old_space the long-lived objects).
  const spaces = Object.fromEntries(
    getHeapSpaceStatistics().map((s) => [s.space_name, { size: s.space_size, used: s.space_used_size }]),
  );
  process.stderr.write(
    `${JSON.stringify({ level: 'info', msg: 'memory', ...m, rssAnon, rssFile, brkHeap, anonMaps, spaces, snapshot })}\n`,
  );
});
