/**
 * The accounting a correct pipeline must report for a generated corpus, written to expected.json.
 *
 * Deliberately NOT built on packages/transcript: it is the reference the normalizer, the sink and the
 * reports are checked against, so it implements the usage rule directly (transcript-format.md section 7):
 * - usage comes only from `type:"assistant"` lines' `message.usage` (progress lines embed copies of
 *   subagent lines, and those are never counted);
 * - one API response = all assistant lines sharing (message.id, requestId), across all files (resume
 *   copies re-write earlier lines); without a requestId the key falls back to message.id within the session;
 * - of a response's lines the one with the largest input+output+cache_creation+cache_read wins (the first
 *   such line in file order on a tie); its timestamp (UTC date), model, host and cwd place the response;
 * - model `<synthetic>` (CLI-made API error lines) is never counted.
 */

export interface UsageTotals {
  inputTokens: number;
  outputTokens: number;
  cacheCreationTokens: number;
  cacheReadTokens: number;
  responses: number;
}

export type FileRole = 'main' | 'subagent' | 'resume';

export interface FileMeta {
  /** Relative to the corpus directory, `/`-separated. */
  readonly path: string;
  readonly host: string;
  /** The generated session's project (its base cwd). */
  readonly project: string;
  readonly sessionId: string;
  readonly role: FileRole;
  readonly layout: string;
  readonly template: string;
  readonly agentId?: string;
  /** Resume copies: the session whose lines the first `copiedLines` lines re-write. */
  readonly resumeOf?: string;
  readonly copiedLines?: number;
  readonly requestIdDropped?: boolean;
}

export interface FileEntry extends FileMeta {
  lines: number;
  bytes: number;
}

export interface ExpectedCorpus {
  readonly schema: 1;
  readonly rule: string;
  readonly generator: Record<string, unknown>;
  readonly hosts: readonly { name: string; root: string; projects: readonly string[] }[];
  readonly totals: UsageTotals & {
    lines: number;
    bytes: number;
    files: number;
    sessions: number;
    resumeCopies: number;
  };
  readonly byDayModel: readonly (UsageTotals & { day: string; model: string })[];
  readonly byHostProject: readonly (UsageTotals & { host: string; project: string })[];
  /** Same, by the exact cwd of the winning line (sessions may cd into sub-directories). */
  readonly byHostCwd: readonly (UsageTotals & { host: string; cwd: string })[];
  readonly linesByType: Record<string, number>;
  readonly progressLinesByDataType: Record<string, number>;
  readonly sessionsByLayout: Record<string, number>;
  readonly files: readonly FileEntry[];
}

const USAGE_RULE =
  'assistant lines only; key (message.id, requestId) global, else (sessionId, message.id); max input+output+cache_creation+cache_read per key, first on ties; model <synthetic> skipped; progress ignored';

interface Candidate {
  total: number;
  input: number;
  output: number;
  cacheCreation: number;
  cacheRead: number;
  model: string;
  ts: string;
  host: string;
  project: string;
  cwd: string;
}

interface AssistantLine {
  type?: unknown;
  sessionId?: unknown;
  requestId?: unknown;
  timestamp?: unknown;
  cwd?: unknown;
  data?: { type?: unknown };
  message?: {
    id?: unknown;
    model?: unknown;
    usage?: {
      input_tokens?: unknown;
      output_tokens?: unknown;
      cache_creation_input_tokens?: unknown;
      cache_read_input_tokens?: unknown;
    };
  };
}

const n = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const zero = (): UsageTotals => ({
  inputTokens: 0,
  outputTokens: 0,
  cacheCreationTokens: 0,
  cacheReadTokens: 0,
  responses: 0,
});
const bump = (map: Record<string, number>, key: string): void => {
  map[key] = (map[key] ?? 0) + 1;
};

export class ExpectedAccounting {
  readonly #responses = new Map<string, Candidate>();
  readonly #files: FileEntry[] = [];
  readonly #linesByType: Record<string, number> = {};
  readonly #progressByDataType: Record<string, number> = {};

  /** Accounts one written file; `lines` are the exact lines written (without newlines). */
  addFile(meta: FileMeta, lines: readonly string[], bytes: number): void {
    this.#files.push({ ...meta, lines: lines.length, bytes });
    for (const line of lines) {
      const o = JSON.parse(line) as AssistantLine;
      const type = typeof o.type === 'string' ? o.type : '(none)';
      bump(this.#linesByType, type);
      if (type === 'progress')
        bump(this.#progressByDataType, typeof o.data?.type === 'string' ? o.data.type : '(none)');
      if (type !== 'assistant') continue;
      const msg = o.message;
      const usage = msg?.usage;
      if (!msg || !usage || typeof msg.id !== 'string' || msg.model === '<synthetic>') continue;
      const key =
        typeof o.requestId === 'string' && o.requestId !== ''
          ? `r\u0000${msg.id}\u0000${o.requestId}`
          : `s\u0000${String(o.sessionId)}\u0000${msg.id}`;
      const c: Candidate = {
        input: n(usage.input_tokens),
        output: n(usage.output_tokens),
        cacheCreation: n(usage.cache_creation_input_tokens),
        cacheRead: n(usage.cache_read_input_tokens),
        total: 0,
        model: typeof msg.model === 'string' ? msg.model : '(unknown)',
        ts: String(o.timestamp),
        host: meta.host,
        project: meta.project,
        cwd: typeof o.cwd === 'string' ? o.cwd : meta.project,
      };
      c.total = c.input + c.output + c.cacheCreation + c.cacheRead;
      const kept = this.#responses.get(key);
      if (!kept || c.total > kept.total) this.#responses.set(key, c);
    }
  }

  result(generator: Record<string, unknown>, hosts: ExpectedCorpus['hosts']): ExpectedCorpus {
    const totals = zero();
    const byDayModel = new Map<string, UsageTotals & { day: string; model: string }>();
    const byHostProject = new Map<string, UsageTotals & { host: string; project: string }>();
    const byHostCwd = new Map<string, UsageTotals & { host: string; cwd: string }>();
    const add = (t: UsageTotals, c: Candidate): void => {
      t.inputTokens += c.input;
      t.outputTokens += c.output;
      t.cacheCreationTokens += c.cacheCreation;
      t.cacheReadTokens += c.cacheRead;
      t.responses += 1;
    };
    for (const c of this.#responses.values()) {
      add(totals, c);
      const day = c.ts.slice(0, 10);
      const dm = `${day}\u0000${c.model}`;
      if (!byDayModel.has(dm)) byDayModel.set(dm, { day, model: c.model, ...zero() });
      add(byDayModel.get(dm) as UsageTotals, c);
      const hp = `${c.host}\u0000${c.project}`;
      if (!byHostProject.has(hp)) byHostProject.set(hp, { host: c.host, project: c.project, ...zero() });
      add(byHostProject.get(hp) as UsageTotals, c);
      const hc = `${c.host}\u0000${c.cwd}`;
      if (!byHostCwd.has(hc)) byHostCwd.set(hc, { host: c.host, cwd: c.cwd, ...zero() });
      add(byHostCwd.get(hc) as UsageTotals, c);
    }
    const sorted = <T>(m: Map<string, T>): T[] =>
      [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);
    const sortKeys = (r: Record<string, number>): Record<string, number> =>
      Object.fromEntries(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : 1)));
    const sessionsByLayout: Record<string, number> = {};
    for (const f of this.#files) if (f.role === 'main') bump(sessionsByLayout, f.layout);
    return {
      schema: 1,
      rule: USAGE_RULE,
      generator,
      hosts,
      totals: {
        ...totals,
        lines: this.#files.reduce((s, f) => s + f.lines, 0),
        bytes: this.#files.reduce((s, f) => s + f.bytes, 0),
        files: this.#files.length,
        sessions: this.#files.filter((f) => f.role === 'main').length,
        resumeCopies: this.#files.filter((f) => f.role === 'resume').length,
      },
      byDayModel: sorted(byDayModel),
      byHostProject: sorted(byHostProject),
      byHostCwd: sorted(byHostCwd),
      linesByType: sortKeys(this.#linesByType),
      progressLinesByDataType: sortKeys(this.#progressByDataType),
      sessionsByLayout: sortKeys(sessionsByLayout),
      files: [...this.#files].sort((a, b) => (a.path < b.path ? -1 : 1)),
    };
  }
}
