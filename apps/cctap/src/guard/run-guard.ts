/**
 * One PreToolUse decision, as Claude Code runs the hook: the call as JSON on stdin, the answer in Claude
 * Code's hook protocol.
 *
 *   deny / ask     exit 0, stdout {"hookSpecificOutput": {"hookEventName": "PreToolUse",
 *                  "permissionDecision": "deny"|"ask", "permissionDecisionReason": "…"}}
 *   no objection   exit 0 and no output: the call goes on to Claude Code's own permission rules. An explicit
 *                  "allow" would skip them (and the user's prompts), which a guard has no business doing.
 *   cannot judge   (bad input, an unreadable rule file, a crash) fail-open, the default: exit 1 with one line
 *                  on stderr, a non-blocking error, so the call goes ahead; fail-closed: exit 2 with the
 *                  reason on stderr, which Claude Code takes as "blocked" whatever went wrong, even when the
 *                  stdout JSON could not be written.
 *
 * Every decision, the quiet ones included, is appended to the decisions file (decision-log.ts), which the
 * collector publishes. Nothing here touches the network, and the shipped rules load without zod or YAML.
 */
import { hostname, userInfo } from 'node:os';
import { readFileSync, statSync, type Stats } from 'node:fs';
import { dirname, join } from 'node:path';
import { decide, guardRulesOf, RULE_PACK, type GuardRule, type GuardVerdict } from '@cctap/alerter/guard';
import type { Environment } from '../environment.js';
import { EXIT } from '../exit-codes.js';
import { appendDecision, type DecisionLine } from './decision-log.js';
import { unjudgedReason } from './fail-closed.js';
import { parseHookInput, type HookInput } from './hook-input.js';
import { cachedRules, cacheRules } from './rule-cache.js';

export interface GuardSettings {
  /** The alerter's rule file whose `guard:` rules apply; undefined: the shipped rule pack. */
  rulesFile: string | undefined;
  failClosed: boolean;
  /** Where decisions are appended. */
  decisionsFile: string;
  /** What `${VAR}` in the rule file expands from. */
  env: Environment;
}

export interface GuardIo {
  stdin: () => Promise<string>;
  out: (text: string) => void;
  err: (text: string) => void;
}

async function loadRules(file: string | undefined, env: Environment, cache: string): Promise<GuardRule[]> {
  // The shipped pack as written: it is validated by its unit test, and zod stays unloaded.
  if (file === undefined) return guardRulesOf(RULE_PACK as unknown as GuardRule[]);
  const cached = cachedRules(cache, file);
  if (cached) return cached;
  let text: string;
  let st: Stats;
  try {
    st = statSync(file);
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(
      `cannot read the rule file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      { cause: err },
    );
  }
  const { guardRulesOfFile } = await import('@cctap/alerter/guard/rule-file');
  const rules = guardRulesOfFile(text, { source: file, env });
  cacheRules(cache, file, st, rules);
  return rules;
}

function userName(): string {
  try {
    return userInfo().username;
  } catch {
    return '';
  }
}

const firstLine = (err: unknown) => (err instanceof Error ? err.message : String(err)).split('\n')[0]!;

/** Judges the call on stdin and answers it; resolves to the exit code. Never throws. */
export async function runGuard(s: GuardSettings, io: GuardIo): Promise<number> {
  let input: HookInput | null = null;
  let verdict: GuardVerdict;
  let error: string | null = null;
  try {
    input = parseHookInput(await io.stdin());
    const rules = await loadRules(s.rulesFile, s.env, join(dirname(s.decisionsFile), 'rules-cache.json'));
    verdict = decide(rules, {
      toolName: input.toolName,
      toolInput: input.toolInput,
      toolUseId: input.toolUseId,
      sessionId: input.sessionId,
      cwd: input.cwd,
      host: hostname(),
      user: userName(),
    });
  } catch (err) {
    error = firstLine(err);
    verdict = s.failClosed
      ? {
          decision: 'deny',
          rule: null,
          findings: [],
          match: null,
          reason: unjudgedReason(error),
        }
      : { decision: 'allow', rule: null, findings: [], match: null, reason: '' };
  }
  const line: DecisionLine = {
    v: 1,
    ts: new Date().toISOString(),
    decision: verdict.decision,
    rule: verdict.rule,
    findings: verdict.findings,
    match: verdict.match,
    reason: verdict.reason,
    tool: input?.toolName ?? '',
    toolUseId: input?.toolUseId ?? '',
    sessionId: input?.sessionId ?? '',
    cwd: input?.cwd ?? '',
    transcriptPath: input?.transcriptPath ?? '',
    permissionMode: input?.permissionMode ?? '',
    error,
    failClosed: s.failClosed,
  };
  try {
    appendDecision(s.decisionsFile, line);
  } catch (err) {
    // The decision stands without its record: blocking a call because a log file is full helps nobody.
    io.err(`cctap guard: could not record the decision in ${s.decisionsFile}: ${firstLine(err)}`);
  }
  if (error !== null) {
    if (s.failClosed) {
      io.err(verdict.reason);
      return EXIT.guardBlocked;
    }
    io.err(`cctap guard: ${error} (the call goes ahead: the guard fails open unless --fail-closed is set)`);
    return EXIT.failure;
  }
  if (verdict.decision === 'allow') return EXIT.ok;
  const answer = JSON.stringify({
    hookSpecificOutput: {
      hookEventName: 'PreToolUse',
      permissionDecision: verdict.decision,
      permissionDecisionReason: verdict.reason,
    },
  });
  try {
    io.out(answer);
    return EXIT.ok;
  } catch {
    // The answer could not be written: a deny still blocks through the exit code (an ask becomes a block).
    io.err(verdict.reason);
    return EXIT.guardBlocked;
  }
}
