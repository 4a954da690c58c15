/**
 * Claude Code's status-line input (the JSON it writes on the command's stdin), read leniently: every field
 * is optional and a field of the wrong type counts as absent, so a newer or older Claude Code never breaks
 * the line. Shapes (Claude Code's status-line reference):
 *   session_id, transcript_path, cwd, version, model {id, display_name}, workspace {current_dir, project_dir},
 *   cost {total_cost_usd}, context_window {context_window_size, used_percentage,
 *     current_usage {input_tokens, cache_creation_input_tokens, cache_read_input_tokens, output_tokens}},
 *   rate_limits {five_hour, seven_day: {used_percentage, resets_at (epoch seconds)}}   (Pro/Max only)
 */

export interface WindowReading {
  usedPercentage: number;
  /** ISO instant; null when the input has none. */
  resetsAt: string | null;
}

export interface ContextReading {
  usedPercentage: number;
  /** Tokens the context holds (the last request's input, cache writes and cache reads); null when unknown. */
  usedTokens: number | null;
  windowTokens: number | null;
}

export interface StatusInput {
  sessionId: string | null;
  transcriptPath: string | null;
  cwd: string | null;
  version: string | null;
  modelId: string | null;
  modelName: string | null;
  /** Claude Code's own estimate at list price; shown only when cctap has no figure of its own. */
  clientCostUsd: number | null;
  fiveHour: WindowReading | null;
  sevenDay: WindowReading | null;
  context: ContextReading | null;
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | null => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : null);
const str = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : null);

/** `resets_at` is epoch seconds; an ISO string is accepted too. */
function instant(v: unknown): string | null {
  if (typeof v === 'number' && Number.isFinite(v) && v > 0) {
    const d = new Date(v < 1e12 ? v * 1000 : v);
    return Number.isNaN(d.getTime()) ? null : d.toISOString();
  }
  if (typeof v === 'string') {
    const ms = Date.parse(v);
    return Number.isNaN(ms) ? null : new Date(ms).toISOString();
  }
  return null;
}

function windowOf(v: unknown): WindowReading | null {
  const w = obj(v);
  const used = num(w?.used_percentage);
  return w && used !== null ? { usedPercentage: used, resetsAt: instant(w.resets_at) } : null;
}

function contextOf(v: unknown): ContextReading | null {
  const c = obj(v);
  if (!c) return null;
  const size = num(c.context_window_size);
  const cur = obj(c.current_usage);
  const usedTokens = cur
    ? (num(cur.input_tokens) ?? 0) +
      (num(cur.cache_creation_input_tokens) ?? 0) +
      (num(cur.cache_read_input_tokens) ?? 0)
    : null;
  const pct = num(c.used_percentage) ?? (usedTokens !== null && size ? (usedTokens / size) * 100 : null);
  return pct === null ? null : { usedPercentage: pct, usedTokens, windowTokens: size };
}

export function parseStatusInput(text: string): StatusInput {
  let doc: Obj | null;
  try {
    doc = obj(JSON.parse(text));
  } catch {
    doc = null;
  }
  const d = doc ?? {};
  const model = obj(d.model);
  const workspace = obj(d.workspace);
  const limits = obj(d.rate_limits);
  return {
    sessionId: str(d.session_id),
    transcriptPath: str(d.transcript_path),
    cwd: str(workspace?.current_dir) ?? str(d.cwd),
    version: str(d.version),
    modelId: str(model?.id),
    modelName: str(model?.display_name),
    clientCostUsd: num(obj(d.cost)?.total_cost_usd),
    fiveHour: windowOf(limits?.five_hour),
    sevenDay: windowOf(limits?.seven_day),
    context: contextOf(d.context_window),
  };
}
