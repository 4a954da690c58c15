/**
 * Plays the part of Claude Code still writing: files of a generated corpus are cut back to a prefix (or
 * removed, to appear later) before the pipeline starts, then their remaining bytes are appended over a few
 * seconds. Half of the files get line-aligned appends; the other half get appends cut at arbitrary byte
 * positions, so a reader regularly sees a half-written last line.
 */
import { appendFileSync, mkdirSync, readFileSync, rmSync, truncateSync } from 'node:fs';
import { dirname } from 'node:path';

export interface HeldBackFile {
  path: string;
  /** The complete content the file must end with. */
  full: Buffer;
  /** Bytes present before the pipeline starts (0: the file does not exist yet). */
  kept: number;
  lineAligned: boolean;
}

/** Cuts `path` back to its first `keepLines` lines (0: removes it) and returns what is left to write. */
export function holdBack(path: string, keepLines: number, lineAligned: boolean): HeldBackFile {
  const full = readFileSync(path);
  let kept = 0;
  for (let i = 0; i < keepLines; i++) {
    const nl = full.indexOf(0x0a, kept);
    if (nl < 0) break;
    kept = nl + 1;
  }
  if (kept === 0) rmSync(path);
  else truncateSync(path, kept);
  return { path, full, kept, lineAligned };
}

/** Cut points of `rest` into about `steps` appends. */
function cuts(f: HeldBackFile, steps: number): number[] {
  const out: number[] = [];
  const size = f.full.length;
  const step = Math.max(1, Math.ceil((size - f.kept) / steps));
  for (let at = f.kept + step; at < size; at += step) {
    if (!f.lineAligned) {
      out.push(at);
      continue;
    }
    const nl = f.full.indexOf(0x0a, at - 1);
    if (nl >= 0 && nl + 1 < size && nl + 1 > (out[out.length - 1] ?? f.kept)) out.push(nl + 1);
  }
  out.push(size);
  return out;
}

export interface Writer {
  /** Resolves when every file is complete. */
  done: Promise<{ appends: number }>;
  /** Share of the held-back bytes written so far, 0..1. */
  fraction(): number;
}

/** Appends the held-back bytes of every file over about `durationMs`. */
export function startWriter(files: readonly HeldBackFile[], durationMs: number, tickMs = 100): Writer {
  const steps = Math.max(1, Math.floor(durationMs / tickMs));
  const plans = files.map((f) => ({ f, at: f.kept, cuts: cuts(f, steps) }));
  const total = files.reduce((s, f) => s + f.full.length - f.kept, 0);
  let written = 0;
  let appends = 0;
  const run = async () => {
    while (plans.some((p) => p.cuts.length > 0)) {
      for (const p of plans) {
        const to = p.cuts.shift();
        if (to === undefined) continue;
        mkdirSync(dirname(p.f.path), { recursive: true });
        appendFileSync(p.f.path, p.f.full.subarray(p.at, to));
        written += to - p.at;
        p.at = to;
        appends += 1;
      }
      await new Promise((r) => setTimeout(r, tickMs));
    }
    return { appends };
  };
  return { done: run(), fraction: () => (total === 0 ? 1 : written / total) };
}
