import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCorpus, projectSlug, type CorpusResult, type UsageTotals } from '../../bench/corpus/index.js';
import { realFixtureFiles } from '../support/paths.js';

/**
 * The generated corpus is the yardstick for the normalizer, the sink and the reports, so these tests
 * re-derive everything expected.json claims from the files on disk, with code that shares nothing with
 * the generator beyond JSON.parse.
 */

interface Line {
  type?: string;
  uuid?: string;
  sessionId?: string;
  agentId?: string;
  isSidechain?: boolean;
  requestId?: string;
  timestamp?: string;
  data?: { type?: string };
  message?: {
    id?: string;
    model?: string;
    content?: unknown;
    usage?: {
      input_tokens?: number;
      output_tokens?: number;
      cache_creation_input_tokens?: number;
      cache_read_input_tokens?: number;
    };
  };
}

interface ScannedFile {
  rel: string;
  host: string;
  folder: string;
  /** Session the file belongs to, from its path (subagent files: from the lines, 2.0.x flat layout). */
  session: string;
  text: string;
  raw: string[];
  lines: Line[];
}

const dirs: string[] = [];
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'cctap-corpus-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

function treeHash(out: string): string {
  const h = createHash('sha256');
  for (const p of walk(out).sort()) h.update(relative(out, p)).update('\0').update(readFileSync(p)).update('\0');
  return h.digest('hex');
}

function scan(out: string, hosted: boolean): ScannedFile[] {
  return walk(out)
    .filter((p) => p.endsWith('.jsonl'))
    .sort()
    .map((p) => {
      const rel = relative(out, p).split(sep).join('/');
      const parts = rel.split('/');
      const host = hosted ? (parts.shift() as string) : 'host-01';
      expect(parts[0]).toBe('projects');
      const folder = parts[1] as string;
      const text = readFileSync(p, 'utf8');
      const raw = text.split('\n');
      expect(raw.pop()).toBe('');
      const lines = raw.map((l) => JSON.parse(l) as Line);
      const fromLines = lines.find((l) => typeof l.sessionId === 'string')?.sessionId ?? '?';
      const session =
        parts.length === 3 && !parts[2]?.startsWith('agent-')
          ? (parts[2] as string).replace(/\.jsonl$/, '')
          : parts.length === 5
            ? (parts[2] as string)
            : fromLines;
      return { rel, host, folder, session, text, raw, lines };
    });
}

interface Acc {
  input: number;
  output: number;
  cc: number;
  cr: number;
  n: number;
}

/** Max-per-response over the given lines, optionally per file (to show what double counting looks like). */
function account(
  files: ScannedFile[],
  opts: { skipLines?: (f: ScannedFile, i: number) => boolean; perFile?: boolean } = {},
) {
  const best = new Map<string, { total: number; u: Acc; day: string; model: string; host: string; folder: string }>();
  for (const f of files) {
    f.lines.forEach((l, i) => {
      if (opts.skipLines?.(f, i)) return;
      if (l.type !== 'assistant' || !l.message?.usage || !l.message.id || l.message.model === '<synthetic>') return;
      const u = l.message.usage;
      const acc: Acc = {
        input: u.input_tokens ?? 0,
        output: u.output_tokens ?? 0,
        cc: u.cache_creation_input_tokens ?? 0,
        cr: u.cache_read_input_tokens ?? 0,
        n: 1,
      };
      const total = acc.input + acc.output + acc.cc + acc.cr;
      const scope = opts.perFile ? `${f.rel}|` : '';
      const key = scope + (l.requestId ? `${l.message.id}|${l.requestId}` : `${l.sessionId}|${l.message.id}`);
      const prev = best.get(key);
      if (!prev || total > prev.total) {
        best.set(key, {
          total,
          u: acc,
          day: (l.timestamp ?? '').slice(0, 10),
          model: l.message.model ?? '',
          host: f.host,
          folder: f.folder,
        });
      }
    });
  }
  const sum = (rows: Acc[]) =>
    rows.reduce(
      (a, r) => ({
        input: a.input + r.input,
        output: a.output + r.output,
        cc: a.cc + r.cc,
        cr: a.cr + r.cr,
        n: a.n + r.n,
      }),
      { input: 0, output: 0, cc: 0, cr: 0, n: 0 },
    );
  const group = (key: (v: { day: string; model: string; host: string; folder: string }) => string) => {
    const g = new Map<string, Acc[]>();
    for (const v of best.values()) g.set(key(v), [...(g.get(key(v)) ?? []), v.u]);
    return new Map([...g].map(([k, rows]) => [k, sum(rows)]));
  };
  return {
    total: sum([...best.values()].map((v) => v.u)),
    byDayModel: group((v) => `${v.day}|${v.model}`),
    byHostFolder: group((v) => `${v.host}|${v.folder}`),
  };
}

const asAcc = (t: UsageTotals): Acc => ({
  input: t.inputTokens,
  output: t.outputTokens,
  cc: t.cacheCreationTokens,
  cr: t.cacheReadTokens,
  n: t.responses,
});

describe('corpus generator', () => {
  let out: string;
  let result: CorpusResult;
  let files: ScannedFile[];
  const options = { size: 6_000_000, seed: 11, hosts: 2, days: 3 };

  beforeAll(() => {
    out = tempDir();
    result = generateCorpus({ out, ...options });
    files = scan(out, true);
  });

  it('is deterministic: same seed and size give a byte-identical tree, another seed does not', () => {
    const again = tempDir();
    generateCorpus({ out: again, ...options });
    expect(treeHash(again)).toBe(treeHash(out));
    const other = tempDir();
    generateCorpus({ out: other, ...options, seed: 12 });
    expect(treeHash(other)).not.toBe(treeHash(out));
  });

  it('reaches the target size and writes every file it lists, byte for byte', () => {
    const { expected } = result;
    expect(expected.totals.bytes).toBeGreaterThanOrEqual(options.size);
    expect(files.map((f) => f.rel)).toEqual(expected.files.map((f) => f.path));
    for (const f of files) {
      const entry = expected.files.find((e) => e.path === f.rel);
      expect({ lines: entry?.lines, bytes: entry?.bytes }).toEqual({
        lines: f.raw.length,
        bytes: Buffer.byteLength(f.text),
      });
    }
    expect(expected.totals.lines).toBe(files.reduce((s, f) => s + f.raw.length, 0));
    const byType: Record<string, number> = {};
    for (const l of files.flatMap((f) => f.lines)) byType[l.type ?? '(none)'] = (byType[l.type ?? '(none)'] ?? 0) + 1;
    expect(expected.linesByType).toEqual(byType);
  });

  it('puts sessions in project folders named by the slug of their cwd, across hosts and days', () => {
    expect(projectSlug('/Users/ali/.claude/projects')).toBe('-Users-ali--claude-projects');
    expect(projectSlug('C:\\git\\cc-plus')).toBe('C--git-cc-plus');
    expect(projectSlug('/home/dev1/src/café-menu')).toBe('-home-dev1-src-caf--menu');
    for (const f of files) {
      const cwds = new Set(f.lines.map((l) => (l as { cwd?: string }).cwd).filter((c): c is string => c !== undefined));
      const hostPlan = result.expected.hosts.find((h) => h.name === f.host);
      const project = hostPlan?.projects.find((p) => projectSlug(p) === f.folder);
      expect(project, f.rel).toBeDefined();
      for (const cwd of cwds) expect(cwd === project || cwd.startsWith(`${project}/`), `${f.rel}: ${cwd}`).toBe(true);
    }
    expect(new Set(files.map((f) => f.host))).toEqual(new Set(['host-01', 'host-02']));
    expect(new Set(result.expected.byDayModel.map((r) => r.day)).size).toBeGreaterThan(1);
  });

  it('keeps the relative timing of every line of the fixture it copies', () => {
    const fixtures = realFixtureFiles().map((p) =>
      readFileSync(p, 'utf8')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as Line),
    );
    const deltas = (lines: Line[]) => {
      const ts = lines.map((l) => (l.timestamp ? Date.parse(l.timestamp) : null));
      const first = ts.find((t) => t !== null) ?? 0;
      return ts.map((t) => (t === null ? null : t - first));
    };
    for (const f of files.filter((x) => result.expected.files.find((e) => e.path === x.rel)?.role === 'main')) {
      const fixture = fixtures.find(
        (fx) => fx.length === f.lines.length && fx.every((l, i) => l.type === f.lines[i]?.type),
      );
      expect(fixture, f.rel).toBeDefined();
      expect(deltas(f.lines)).toEqual(deltas(fixture as Line[]));
    }
  });

  it('expected.json equals an independent recomputation from the files', () => {
    const { expected } = result;
    const mine = account(files);
    expect(asAcc(expected.totals)).toEqual(mine.total);
    expect(new Map(expected.byDayModel.map((r) => [`${r.day}|${r.model}`, asAcc(r)]))).toEqual(mine.byDayModel);
    const byHostFolder = new Map(expected.byHostProject.map((r) => [`${r.host}|${projectSlug(r.project)}`, asAcc(r)]));
    expect(byHostFolder).toEqual(mine.byHostFolder);
    expect(mine.total.n).toBeGreaterThan(100);
    expect(mine.total.output).toBeGreaterThan(0);
  });

  it('shares no id between two sessions, except resume copies re-writing their source', () => {
    const resumes = new Map(result.expected.files.filter((e) => e.role === 'resume').map((e) => [e.sessionId, e]));
    const owners = new Map<string, Set<string>>();
    const note = (id: string, session: string) => owners.set(id, (owners.get(id) ?? new Set()).add(session));
    for (const f of files) {
      for (const m of f.text.matchAll(/"(?:id|requestId|tool_use_id|uuid|agentId)":"([^"]+)"/g))
        note(m[1] as string, f.session);
    }
    let shared = 0;
    for (const [id, sessions] of owners) {
      if (sessions.size === 1) continue;
      shared++;
      expect(sessions.size, id).toBe(2);
      const [a, b] = [...sessions] as [string, string];
      const pair = resumes.get(a)?.resumeOf === b || resumes.get(b)?.resumeOf === a;
      expect(pair, `${id} shared by ${a} and ${b}`).toBe(true);
    }
    expect(shared).toBeGreaterThan(0);
    // and the resume copy's first lines are the source's lines, only the sessionId changed
    for (const r of resumes.values()) {
      const copy = files.find((f) => f.rel === r.path) as ScannedFile;
      const source = files.find((f) => f.session === r.resumeOf && !f.rel.includes('agent-')) as ScannedFile;
      const copied = r.copiedLines as number;
      expect(copied).toBeGreaterThan(0);
      expect(copy.raw.slice(0, copied).map((l) => l.split(r.sessionId).join(source.session))).toEqual(
        source.raw.slice(0, copied),
      );
      expect(copy.raw.length).toBeGreaterThan(copied);
      // as Claude Code writes them: the copies carry the new session's id (so sessionId cannot dedup them)
      expect(
        copy.lines
          .slice(0, copied)
          .filter((l) => l.sessionId !== undefined)
          .every((l) => l.sessionId === r.sessionId),
      ).toBe(true);
    }
  });

  it('has all three subagent layouts', () => {
    const nested = files.filter((f) =>
      /\/projects\/[^/]+\/[0-9a-f-]{36}\/subagents\/agent-[^/]+\.jsonl$/.test(`/${f.rel}`),
    );
    const flat = files.filter((f) => /\/projects\/[^/]+\/agent-[^/]+\.jsonl$/.test(`/${f.rel}`));
    const inline = files.filter(
      (f) => !f.rel.includes('agent-') && f.lines.some((l) => l.isSidechain === true && l.agentId === undefined),
    );
    for (const group of [nested, flat]) {
      expect(group.length).toBeGreaterThan(0);
      for (const f of group) {
        const agentId = /agent-([^/]+)\.jsonl$/.exec(f.rel)?.[1];
        expect(f.lines.every((l) => l.agentId === agentId && l.isSidechain === true && l.sessionId === f.session)).toBe(
          true,
        );
      }
    }
    expect(inline.length).toBeGreaterThan(0);
    // 2.1.x parents embed exact copies of the subagent's lines in progress lines; the copies were remapped alike
    const nestedUuids = new Set(nested.flatMap((f) => f.lines.map((l) => l.uuid)));
    const embedded = files
      .flatMap((f) => f.lines)
      .filter((l) => l.type === 'progress' && l.data?.type === 'agent_progress')
      .map((l) => (l.data as { message?: { uuid?: string } }).message?.uuid);
    expect(embedded.length).toBeGreaterThan(0);
    expect(embedded.every((u) => nestedUuids.has(u))).toBe(true);
  });

  it('counts resume copies and progress copies once', () => {
    const { expected } = result;
    expect(expected.totals.resumeCopies).toBeGreaterThan(0);
    const copiedLines = new Map(
      expected.files.filter((e) => e.role === 'resume').map((e) => [e.path, e.copiedLines as number]),
    );
    const withoutCopies = account(files, { skipLines: (f, i) => i < (copiedLines.get(f.rel) ?? 0) });
    expect(withoutCopies.total).toEqual(asAcc(expected.totals));
    // counting each file on its own double counts the copies: the dedup across files is what matters here
    const perFile = account(files, { perFile: true });
    expect(perFile.total.n).toBeGreaterThan(expected.totals.responses);
    expect(perFile.total.cr).toBeGreaterThan(expected.totals.cacheReadTokens);
    // and usage found anywhere (progress copies included) would be more again
    const anywhere = files.reduce((s, f) => s + (f.text.match(/"usage":\{/g)?.length ?? 0), 0);
    const assistantLines = files.reduce((s, f) => s + f.lines.filter((l) => l.type === 'assistant').length, 0);
    expect(anywhere).toBeGreaterThan(assistantLines);
  });

  it('includes sessions without requestIds, accounted per session by message id', () => {
    const dropped = result.expected.files.filter((e) => e.requestIdDropped === true);
    expect(dropped.length).toBeGreaterThan(0);
    for (const e of dropped) {
      const f = files.find((x) => x.rel === e.path) as ScannedFile;
      const assistants = f.lines.filter((l) => l.type === 'assistant');
      expect(assistants.length).toBeGreaterThan(0);
      expect(assistants.every((l) => l.requestId === undefined)).toBe(true);
    }
  });

  it('refuses to overwrite a non-empty directory unless forced', () => {
    expect(() => generateCorpus({ out, size: 1, seed: 1 })).toThrow(/not empty/);
  });
});
