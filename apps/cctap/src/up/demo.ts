/**
 * `cctap up --demo`: the real sample transcripts shipped with cctap (test/fixtures/real, provenance in
 * SOURCES.md) replayed LIVE into a temporary Claude config directory, so someone without any Claude Code
 * history sees sessions start, tools fail, tokens add up.
 *
 * Layout, as Claude Code writes it: projects/<slug(cwd)>/<session>.jsonl; 2.1.x subagents under
 * <session>/subagents/agent-<id>.jsonl; 2.0.x agents as flat agent-<id>.jsonl next to the session.
 * Sessions start staggered over the first third of the replay and each appends its lines evenly until the
 * end (~90 s at --demo-speed 1). Every `"timestamp"` is rewritten to the moment its line is appended, so the
 * analyzer sees live sessions and today's totals grow; ids are untouched, so accounting is the real one.
 */
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Relative to this module in src/ and in dist/ alike. */
const DEMO_FIXTURES_DIR = fileURLToPath(new URL('../../../../test/fixtures/real/', import.meta.url));

export class DemoFixturesMissingError extends Error {
  override readonly name = 'DemoFixturesMissingError';
}

interface DemoFile {
  rel: string;
  lines: string[];
  /** ms after the replay start of the first and the last line. */
  startMs: number;
  endMs: number;
  written: number;
}

interface LineHead {
  sessionId?: string;
  agentId?: string;
  isSidechain?: boolean;
  version?: string;
  cwd?: string;
}

const TIMESTAMP = /"timestamp":"\d{4}-\d{2}-\d{2}T[\d:.]+Z"/g;

function head(lines: string[]): LineHead {
  const out: LineHead = {};
  for (const l of lines) {
    let v: LineHead;
    try {
      v = JSON.parse(l) as LineHead;
    } catch {
      continue;
    }
    if (out.sessionId === undefined && v.sessionId)
      Object.assign(out, {
        sessionId: v.sessionId,
        agentId: v.agentId,
        isSidechain: v.isSidechain,
        version: v.version,
      });
    if (out.cwd === undefined && v.cwd) out.cwd = v.cwd;
    if (out.sessionId !== undefined && out.cwd !== undefined) break;
  }
  return out;
}

/** Where Claude Code would have written this file, relative to the config dir. */
export function demoPath(h: LineHead, fallbackName: string): string {
  const slug = (h.cwd ?? '/demo').replace(/[^a-zA-Z0-9]/g, '-');
  const session = h.sessionId ?? fallbackName.replace(/\.jsonl$/, '');
  if (h.agentId && h.isSidechain) {
    // 2.1.x moved agents into <session>/subagents/; 2.0.x wrote them flat next to the session.
    const [major = 0, minor = 0] = (h.version ?? '0.0').split('.').map(Number);
    const nested = major > 2 || (major === 2 && minor >= 1);
    return nested
      ? join('projects', slug, session, 'subagents', `agent-${h.agentId}.jsonl`)
      : join('projects', slug, `agent-${h.agentId}.jsonl`);
  }
  return join('projects', slug, `${session}.jsonl`);
}

export interface DemoReplay {
  readonly root: string;
  readonly files: number;
  readonly lines: number;
  readonly durationMs: number;
  /** Resolves when every line is written (or after stop()). */
  readonly done: Promise<void>;
  /** True once every line was written (false when stopped early). */
  readonly finishedAllLines: boolean;
  /** Bytes appended so far (the timestamps rewritten: not the fixtures' sizes). */
  readonly bytes: number;
  /** Starts appending (idempotent). */
  start(): void;
  stop(): void;
}

/** Reads the fixtures and lays out empty files in `root`; `start()` begins the replay. `speed` 2 = twice as fast. */
export function prepareDemo(o: {
  root: string;
  speed: number;
  fixturesDir?: string;
  onProgress?: (written: number, total: number) => void;
}): DemoReplay {
  const dir = o.fixturesDir ?? DEMO_FIXTURES_DIR;
  if (!existsSync(dir))
    throw new DemoFixturesMissingError(
      `the demo transcripts are not where cctap expects them (${dir}); run from a checkout of the repository`,
    );
  const names = readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .sort();
  if (names.length === 0) throw new DemoFixturesMissingError(`no sample transcripts in ${dir}`);
  const durationMs = 90_000 / o.speed;
  const files: DemoFile[] = names.map((name, i) => {
    const lines = readFileSync(join(dir, name), 'utf8')
      .split('\n')
      .filter((l) => l.length > 0);
    const startMs = (i / names.length) * (durationMs / 3);
    return { rel: demoPath(head(lines), name), lines, startMs, endMs: durationMs, written: 0 };
  });
  for (const f of files) {
    mkdirSync(join(o.root, f.rel, '..'), { recursive: true });
    writeFileSync(join(o.root, f.rel), '');
  }
  const total = files.reduce((n, f) => n + f.lines.length, 0);
  let t0 = 0;
  let written = 0;
  let bytes = 0;
  let timer: NodeJS.Timeout | null = null;
  let finish!: () => void;
  const done = new Promise<void>((r) => (finish = r));
  const tick = () => {
    const now = Date.now();
    const elapsed = now - t0;
    const iso = new Date(now).toISOString();
    for (const f of files) {
      if (elapsed < f.startMs || f.written >= f.lines.length) continue;
      const want = Math.min(
        f.lines.length,
        Math.max(1, Math.ceil(((elapsed - f.startMs) / (f.endMs - f.startMs)) * f.lines.length)),
      );
      if (want <= f.written) continue;
      const chunk = f.lines.slice(f.written, want).map((l) => `${l.replace(TIMESTAMP, `"timestamp":"${iso}"`)}\n`);
      const text = chunk.join('');
      appendFileSync(join(o.root, f.rel), text);
      bytes += Buffer.byteLength(text);
      written += want - f.written;
      f.written = want;
    }
    o.onProgress?.(written, total);
    if (written >= total) stop();
  };
  const stop = () => {
    if (timer) clearInterval(timer);
    timer = null;
    finish();
  };
  const start = () => {
    if (t0 !== 0) return;
    t0 = Date.now();
    timer = setInterval(tick, 200);
    tick();
  };
  return {
    root: o.root,
    files: files.length,
    lines: total,
    durationMs,
    done,
    start,
    stop,
    get finishedAllLines() {
      return written >= total;
    },
    get bytes() {
      return bytes;
    },
  };
}
