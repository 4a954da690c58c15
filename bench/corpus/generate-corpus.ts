import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ExpectedAccounting, type ExpectedCorpus, type FileMeta } from './expected-accounting.js';
import { createPrng, type Prng } from './prng.js';
import { planHosts, projectSlug, type HostPlan } from './projects.js';
import { randomUuid, SessionRewriter } from './session-rewriter.js';
import { loadTemplates, type SessionTemplate } from './templates.js';

/**
 * Builds a CLAUDE_CONFIG_DIR-shaped tree of transcripts from the real fixtures, deterministically:
 *
 *   <out>/[<host>/]projects/<slug(cwd)>/<session>.jsonl
 *                                      /<session>/subagents/agent-<id>.jsonl   (2.1.x)
 *                                      /agent-<id>.jsonl                       (2.0.x)
 *   <out>/expected.json                                                         (the reference accounting)
 *
 * The first round instantiates every template once (so every layout, a resume copy and a session without
 * requestIds are always present; the smallest corpus is therefore ~5 MB whatever the target), then
 * templates are drawn by weight until the target size is reached. Same options -> byte-identical tree.
 */

export interface CorpusOptions {
  readonly out: string;
  /** Target size in bytes; generation stops at the first session that reaches it. */
  readonly size: number;
  readonly seed?: number;
  /** Several hosts: one root per host, `<out>/<host>/projects/...`. Omitted: one root, `<out>/projects/...`. */
  readonly hosts?: number;
  /** Sessions spread uniformly over this many UTC days starting at `startDate`. */
  readonly days?: number;
  /** `YYYY-MM-DD` (UTC) of the first day. */
  readonly startDate?: string;
  /** Probability that a session (after the first round) gets a resumed-session copy. */
  readonly resumeRate?: number;
  /** Probability that a session (after the first round) is written without requestIds. */
  readonly noRequestIdRate?: number;
  /** Remove an existing non-empty output directory instead of refusing. */
  readonly force?: boolean;
  readonly fixturesDir?: string;
}

export interface CorpusResult {
  readonly out: string;
  readonly expectedPath: string;
  readonly expected: ExpectedCorpus;
}

export class CorpusOptionsError extends Error {
  override readonly name = 'CorpusOptionsError';
}

const DAY_MS = 86_400_000;
/** Sessions end this long before midnight so that a resume continuation fits into the same UTC day. */
const DAY_END_MARGIN_MS = 20 * 60_000;
const TIMESTAMP_FIELD = /"timestamp":"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)"/g;

interface Session {
  readonly template: SessionTemplate;
  readonly host: HostPlan;
  readonly cwd: string;
  readonly sessionId: string;
  readonly mainLines: readonly string[];
  readonly dropRequestId: boolean;
}

class CorpusWriter {
  readonly accounting = new ExpectedAccounting();
  bytes = 0;
  constructor(readonly out: string) {}

  write(meta: FileMeta, lines: readonly string[]): void {
    const text = lines.length > 0 ? `${lines.join('\n')}\n` : '';
    const abs = join(this.out, ...meta.path.split('/'));
    mkdirSync(join(abs, '..'), { recursive: true });
    writeFileSync(abs, text);
    const bytes = Buffer.byteLength(text);
    this.bytes += bytes;
    this.accounting.addFile(meta, lines, bytes);
  }
}

function prepareOut(out: string, force: boolean): void {
  if (existsSync(out) && readdirSync(out).length > 0) {
    if (!force)
      throw new CorpusOptionsError(`output directory ${out} is not empty (--force, or force: true, replaces it)`);
    rmSync(out, { recursive: true, force: true });
  }
  mkdirSync(out, { recursive: true });
}

function weightedPick(prng: Prng, templates: readonly SessionTemplate[]): SessionTemplate {
  const total = templates.reduce((s, t) => s + t.weight, 0);
  let r = prng.next() * total;
  for (const t of templates) {
    r -= t.weight;
    if (r < 0) return t;
  }
  return templates[templates.length - 1] as SessionTemplate;
}

function maxTimestamp(lines: readonly string[]): number {
  let max = -Infinity;
  for (const line of lines)
    for (const m of line.matchAll(TIMESTAMP_FIELD)) max = Math.max(max, Date.parse(m[1] as string));
  return max;
}

function lastUuid(lines: readonly string[]): string | null {
  for (let i = lines.length - 1; i >= 0; i--) {
    const uuid = (JSON.parse(lines[i] as string) as { uuid?: unknown }).uuid;
    if (typeof uuid === 'string') return uuid;
  }
  return null;
}

export function generateCorpus(options: CorpusOptions): CorpusResult {
  const seed = options.seed ?? 1;
  const days = options.days ?? 7;
  const startDate = options.startDate ?? '2026-03-02';
  const resumeRate = options.resumeRate ?? 0.1;
  const noRequestIdRate = options.noRequestIdRate ?? 0.03;
  const start = Date.parse(`${startDate}T00:00:00.000Z`);
  if (!Number.isFinite(options.size) || options.size < 0) throw new CorpusOptionsError(`invalid size ${options.size}`);
  if (!Number.isInteger(days) || days < 1) throw new CorpusOptionsError(`days must be a positive integer, got ${days}`);
  if (options.hosts !== undefined && (!Number.isInteger(options.hosts) || options.hosts < 1)) {
    throw new CorpusOptionsError(`hosts must be a positive integer, got ${options.hosts}`);
  }
  if (!Number.isFinite(start)) throw new CorpusOptionsError(`startDate must be YYYY-MM-DD, got ${startDate}`);

  const templates = loadTemplates(options.fixturesDir);
  const prng = createPrng(seed);
  const hosts = planHosts(prng, options.hosts ?? 1, options.hosts !== undefined);
  prepareOut(options.out, options.force ?? false);
  const writer = new CorpusWriter(options.out);
  const issued = new Set<string>();

  const projectDir = (host: HostPlan, cwd: string): string =>
    [host.root, 'projects', projectSlug(cwd)].filter((p) => p !== '').join('/');

  const newSessionId = (): string => {
    let id: string;
    do id = randomUuid(prng);
    while (issued.has(id));
    return id;
  };

  const writeSession = (template: SessionTemplate, dropRequestId: boolean): Session => {
    const host = prng.pick(hosts);
    const cwd = prng.pick(host.projects);
    const span = template.lastTs - template.firstTs;
    const dayStart = start + prng.int(days) * DAY_MS;
    const latestStart = Math.max(1, DAY_MS - span - DAY_END_MARGIN_MS);
    const shiftMs = dayStart + prng.int(latestStart) - template.firstTs;
    const sessionId = newSessionId();
    const rw = new SessionRewriter({ template, sessionId, cwd, shiftMs, prng, issued, dropRequestId });
    const dir = projectDir(host, cwd);
    const base = { host: host.name, project: cwd, sessionId, layout: template.layout, template: template.name };
    const extra = dropRequestId ? { requestIdDropped: true } : {};
    const mainLines = template.main.lines.map((l) => rw.rewrite(l));
    writer.write({ ...base, ...extra, path: `${dir}/${sessionId}.jsonl`, role: 'main' }, mainLines);
    for (const agent of template.agents) {
      const agentId = rw.id(agent.agentId as string);
      const path =
        template.layout === 'nested'
          ? `${dir}/${sessionId}/subagents/agent-${agentId}.jsonl`
          : `${dir}/agent-${agentId}.jsonl`;
      writer.write(
        { ...base, ...extra, path, role: 'subagent', agentId },
        agent.lines.map((l) => rw.rewrite(l)),
      );
    }
    return { template, host, cwd, sessionId, mainLines, dropRequestId };
  };

  /**
   * A resumed session (`claude --resume`): a new session file whose first lines re-write a prefix of the
   * earlier session with the same uuids, timestamps, message ids and request ids (only sessionId changes),
   * followed by new lines shortly after. A correct pipeline counts the copied responses once.
   */
  const writeResume = (from: Session): void => {
    const n = from.mainLines.length;
    const copied = prng.between(Math.max(1, Math.ceil(n * 0.3)), Math.max(1, Math.floor(n * 0.8)));
    const sessionId = newSessionId();
    const prefix = from.mainLines.slice(0, copied).map((l) => l.split(from.sessionId).join(sessionId));
    const family = templates.filter((t) => t.layout === 'none' && t.family === from.template.family);
    const cont = family.length > 0 ? prng.pick(family) : from.template;
    const lastCopied = maxTimestamp(prefix);
    const resumeAt =
      (Number.isFinite(lastCopied) ? lastCopied : maxTimestamp(from.mainLines)) + prng.between(60_000, 300_000);
    const rw = new SessionRewriter({
      template: cont,
      sessionId,
      cwd: from.cwd,
      shiftMs: resumeAt - cont.firstTs,
      prng,
      issued,
      dropRequestId: false,
    });
    const continuation = cont.main.lines.map((l) => rw.rewrite(l));
    // The first new line hangs off the last copied one, as in a real resume.
    const parent = lastUuid(prefix);
    const rootAt = continuation.findIndex((l) => l.includes('"parentUuid":null'));
    if (parent !== null && rootAt >= 0) {
      continuation[rootAt] = (continuation[rootAt] as string).replace('"parentUuid":null', `"parentUuid":"${parent}"`);
    }
    writer.write(
      {
        path: `${projectDir(from.host, from.cwd)}/${sessionId}.jsonl`,
        host: from.host.name,
        project: from.cwd,
        sessionId,
        role: 'resume',
        layout: 'none',
        template: cont.name,
        resumeOf: from.sessionId,
        copiedLines: copied,
      },
      [...prefix, ...continuation],
    );
  };

  const firstRound = prng.shuffled(templates);
  const noRequestIdFirst = firstRound.findIndex((t) => t.name === 'v1.0-inline-small');
  const resumeFirst = noRequestIdFirst === 0 ? 1 : 0;
  for (let i = 0; i < firstRound.length || writer.bytes < options.size; i++) {
    const inFirstRound = i < firstRound.length;
    const template = inFirstRound ? (firstRound[i] as SessionTemplate) : weightedPick(prng, templates);
    const dropRequestId = inFirstRound ? i === noRequestIdFirst : prng.next() < noRequestIdRate;
    const session = writeSession(template, dropRequestId);
    // A resume of a session without requestIds would count twice under the session-scoped fallback key
    // (as it would in Claude Code's own data); the corpus keeps that ambiguity out.
    const resume = inFirstRound ? i === resumeFirst : !dropRequestId && prng.next() < resumeRate;
    if (resume) writeResume(session);
  }

  const expected = writer.accounting.result(
    { seed, size: options.size, hosts: options.hosts ?? null, days, startDate, resumeRate, noRequestIdRate },
    hosts.map((h) => ({ name: h.name, root: h.root, projects: h.projects })),
  );
  const expectedPath = join(options.out, 'expected.json');
  writeFileSync(expectedPath, `${JSON.stringify(expected, null, 2)}\n`);
  return { out: options.out, expectedPath, expected };
}
