import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Session templates: which real fixtures (test/fixtures/real, provenance in SOURCES.md) make up one
 * generated session, and in which on-disk layout Claude Code wrote them. Every generated session is a
 * rewritten copy of one template, so the corpus only ever contains line shapes real releases wrote.
 */

/** Where a template's subagent lines live (transcript-format.md section 6). */
export type SubagentLayout =
  | 'none' // no subagent in this session
  | 'inline' // 1.0.x: isSidechain lines inside the session file
  | 'flat' // 2.0.x: <slug>/agent-<id>.jsonl next to the session file
  | 'nested'; // 2.1.x: <slug>/<session>/subagents/agent-<id>.jsonl

interface TemplateSpec {
  readonly name: string;
  readonly layout: SubagentLayout;
  readonly main: string;
  readonly agents?: readonly string[];
  /** Relative pick weight after the first round (which uses every template once). */
  readonly weight: number;
}

const SPECS: readonly TemplateSpec[] = [
  { name: 'v1.0-inline-sidechains', layout: 'inline', main: 'ccv-v1.0.98-inline-sidechains-summary.jsonl', weight: 2 },
  { name: 'v1.0-inline-small', layout: 'inline', main: 'ccv-v1.0.108-inline-sidechain.jsonl', weight: 3 },
  { name: 'v1.0-plain', layout: 'none', main: 'ccv-v1.0.98-small-tool-error.jsonl', weight: 3 },
  {
    name: 'v2.0-flat-agent',
    layout: 'flat',
    main: 'fasthooks-v2.0.76-compaction-tool-errors.jsonl',
    agents: ['fasthooks-v2.0.76-warmup-sidechain.jsonl'],
    weight: 3,
  },
  { name: 'v2.1-plain-rejected', layout: 'none', main: 'spotter-v2.1.38-rejected-tool-use.jsonl', weight: 3 },
  { name: 'v2.1-plain-tools', layout: 'none', main: 'spotter-v2.1.38-tool-heavy-interrupt.jsonl', weight: 3 },
  {
    name: 'v2.1-nested-agents',
    layout: 'nested',
    main: 'spotter-v2.1.39-main-compaction-progress.jsonl',
    agents: ['spotter-v2.1.39-subagent-explore.jsonl', 'spotter-v2.1.39-subagent-acompact.jsonl'],
    weight: 1,
  },
];

export interface TemplateFile {
  readonly fixture: string;
  /** Lines without their trailing newline. */
  readonly lines: readonly string[];
  /** The fixture's agentId (subagent files only). */
  readonly agentId: string | null;
}

export interface SessionTemplate {
  readonly name: string;
  readonly layout: SubagentLayout;
  readonly weight: number;
  /** `1.0`, `2.0`, `2.1`: the Claude Code release family that wrote the fixture. */
  readonly family: string;
  readonly main: TemplateFile;
  readonly agents: readonly TemplateFile[];
  readonly sessionId: string;
  /** The session's working directory; lines may also carry sub-directories of it. */
  readonly baseCwd: string;
  /** Every agentId the template's lines mention (rewritten per generated session). */
  readonly agentIds: readonly string[];
  readonly firstTs: number;
  readonly lastTs: number;
}

class FixtureError extends Error {
  override readonly name = 'FixtureError';
}

/** test/fixtures/real, found from both bench/corpus (sources under vitest) and bench/dist/corpus. */
function defaultFixturesDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'test', 'fixtures', 'real');
    if (existsSync(join(candidate, 'SOURCES.md'))) return candidate;
    dir = dirname(dir);
  }
  throw new FixtureError('test/fixtures/real not found above bench/corpus; pass fixturesDir');
}

const TS_RE = /"timestamp":"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)"/g;

function readLines(fixturesDir: string, fixture: string): string[] {
  const path = join(fixturesDir, fixture);
  if (!existsSync(path)) throw new FixtureError(`fixture missing: ${path}`);
  const text = readFileSync(path, 'utf8');
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

function loadTemplate(fixturesDir: string, spec: TemplateSpec): SessionTemplate {
  const mainLines = readLines(fixturesDir, spec.main);
  const agents = (spec.agents ?? []).map((fixture): TemplateFile => {
    const lines = readLines(fixturesDir, fixture);
    const agentId = lines
      .map((l) => (JSON.parse(l) as { agentId?: unknown }).agentId)
      .find((a) => typeof a === 'string');
    if (typeof agentId !== 'string') throw new FixtureError(`${fixture}: no agentId on any line`);
    return { fixture, lines, agentId };
  });
  let sessionId: string | undefined;
  let baseCwd: string | undefined;
  let version: string | undefined;
  for (const line of mainLines) {
    const o = JSON.parse(line) as { sessionId?: unknown; cwd?: unknown; version?: unknown };
    if (sessionId === undefined && typeof o.sessionId === 'string') sessionId = o.sessionId;
    if (baseCwd === undefined && typeof o.cwd === 'string') baseCwd = o.cwd;
    if (version === undefined && typeof o.version === 'string') version = o.version;
  }
  if (!sessionId || !baseCwd || !version) throw new FixtureError(`${spec.main}: no sessionId/cwd/version`);
  // Timestamps of all files of the session: the whole session is shifted by one delta.
  let firstTs = Infinity;
  let lastTs = -Infinity;
  for (const line of [...mainLines, ...agents.flatMap((a) => a.lines)]) {
    for (const m of line.matchAll(TS_RE)) {
      const t = Date.parse(m[1] as string);
      if (t < firstTs) firstTs = t;
      if (t > lastTs) lastTs = t;
    }
  }
  const agentIds = new Set(agents.map((a) => a.agentId as string));
  return {
    name: spec.name,
    layout: spec.layout,
    weight: spec.weight,
    family: version.split('.').slice(0, 2).join('.'),
    main: { fixture: spec.main, lines: mainLines, agentId: null },
    agents,
    sessionId,
    baseCwd,
    agentIds: [...agentIds],
    firstTs,
    lastTs,
  };
}

export function loadTemplates(fixturesDir: string = defaultFixturesDir()): SessionTemplate[] {
  return SPECS.map((spec) => loadTemplate(fixturesDir, spec));
}
