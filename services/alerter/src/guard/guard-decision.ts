/**
 * The guard's judgement of one tool call, before it runs: the rules that carry a `guard` action (deny or
 * ask) are evaluated against the call with the very predicates and shell detectors the alerter applies to
 * `tool.call` events afterwards, so one rule file governs both. The call is shaped like the `tool.call`
 * event the collector will publish for it (`payload.name`, `payload.input`, `payload.command`,
 * `payload.filePath`), so a rule's field paths mean the same thing here and there.
 *
 * Loaded by `cctap guard` for every tool call Claude Code makes: it imports no zod, no NATS and no rule
 * file parser (the shipped pack is used as written; its validity is a unit test of the pack).
 */
import { evaluateAll, type PredicateHit } from '../engine/predicates.js';
import type { EngineInput } from '../engine/signal.js';
import type { GuardAction, Predicate } from '../rules/rule-schema.js';

/** What Claude Code is told: the hook protocol's permissionDecision. */
export type GuardDecision = 'allow' | GuardAction;

/** The part of a rule the guard reads (a validated Rule, or a shipped pack entry as written). */
export interface GuardRule {
  name: string;
  description?: string | undefined;
  kind: string;
  enabled?: boolean | undefined;
  source?: string | undefined;
  types: readonly string[];
  where?: readonly Predicate[] | undefined;
  whereAny?: readonly Predicate[] | undefined;
  guard?: GuardAction | undefined;
}

export interface GuardVerdict {
  decision: GuardDecision;
  /** The rule that decided; null when the call is allowed. */
  rule: string | null;
  /** What the detectors found (`rm-rf-broad`, `.env`); the matched text for plain predicates. */
  findings: string[];
  /** The command or path that matched. */
  match: string | null;
  /** One sentence for Claude Code (deny: given to the model; ask: shown to the user); '' when allowed. */
  reason: string;
}

/** One tool call as Claude Code's PreToolUse hook input carries it. */
export interface GuardCall {
  toolName: string;
  toolInput: unknown;
  toolUseId: string;
  sessionId: string;
  cwd: string;
  host: string;
  user: string;
}

/** The rules of `rules` the guard applies: enabled match rules on tool.call events with a guard action. */
export function guardRulesOf(rules: readonly GuardRule[]): GuardRule[] {
  return rules.filter(
    (r) =>
      r.guard !== undefined &&
      r.kind === 'match' &&
      r.enabled !== false &&
      (r.source ?? 'events') === 'events' &&
      r.types.includes('tool.call'),
  );
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** The call as the rule engine sees a `tool.call` event (the fields of the contract's toolCallPayload). */
function callAsInput(call: GuardCall): EngineInput {
  const input = call.toolInput && typeof call.toolInput === 'object' ? (call.toolInput as Record<string, unknown>) : {};
  return {
    source: 'events',
    type: 'tool.call',
    id: call.toolUseId,
    ts: new Date().toISOString(),
    host: call.host,
    user: call.user,
    sessionId: call.sessionId,
    project: call.cwd,
    payload: {
      toolUseId: call.toolUseId,
      name: call.toolName,
      input: call.toolInput,
      command: str(input.command),
      filePath: str(input.file_path) ?? str(input.notebook_path) ?? str(input.path),
    },
  };
}

const RANK: Record<GuardDecision, number> = { allow: 0, ask: 1, deny: 2 };
const short = (s: string) => (s.length > 160 ? `${s.slice(0, 157)}...` : s);

function reasonOf(rule: GuardRule, action: GuardAction, findings: string[], match: string | null): string {
  const what = findings.length > 0 ? findings.join(', ') : 'a match';
  const where = match === null ? '' : ` in \`${short(match.replace(/\s+/g, ' '))}\``;
  const why = rule.description ? ` ${rule.description}` : '';
  return action === 'deny'
    ? `Blocked by cctap guard rule '${rule.name}': ${what}${where}.${why} If it is really needed, ask the user to run it.`
    : `cctap guard rule '${rule.name}' asks for confirmation: ${what}${where}.${why}`;
}

/** The strictest guard action among the rules the call matches (deny > ask), or allow. */
export function decide(rules: readonly GuardRule[], call: GuardCall): GuardVerdict {
  const input = callAsInput(call);
  let best: GuardVerdict = { decision: 'allow', rule: null, findings: [], match: null, reason: '' };
  for (const rule of rules) {
    const action = rule.guard;
    if (action === undefined || RANK[action] <= RANK[best.decision]) continue;
    const hits: PredicateHit[] | null = evaluateAll(rule.where ?? [], rule.whereAny ?? [], input);
    if (!hits) continue;
    const findings = [...new Set(hits.flatMap((h) => h.findings))];
    const match = hits.find((h) => h.findings.length > 0)?.match ?? hits[0]?.match ?? null;
    best = { decision: action, rule: rule.name, findings, match, reason: reasonOf(rule, action, findings, match) };
  }
  return best;
}
