/**
 * The local record of the guard's decisions: one JSON line per decision, appended to a file under the
 * user's ~/.cctap (default ~/.cctap/guard/decisions.jsonl). Writing it is the guard's whole share of the
 * telemetry: the collector (`cctap collect`, `cctap up`) tails this file like a transcript and publishes each
 * line as a `guard` event, so the decision path never touches the network.
 *
 * Each line is one write(2) on a file opened with O_APPEND, so guards running at the same time (parallel
 * tool calls) do not interleave inside a line.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import type { GuardDecision } from '@cctap/alerter/guard';

/** One decision as written (the collector reads it: services/collector/src/guard/). */
export interface DecisionLine {
  /** Format version of the line. */
  v: 1;
  ts: string;
  decision: GuardDecision;
  rule: string | null;
  findings: string[];
  /** The command or path that matched (as the hook gave it; the collector redacts by its privacy mode). */
  match: string | null;
  reason: string;
  tool: string;
  toolUseId: string;
  sessionId: string;
  cwd: string;
  transcriptPath: string;
  permissionMode: string;
  /** Set when the guard could not judge the call (bad input, unreadable rules, a crash). */
  error: string | null;
  failClosed: boolean;
}

export const DEFAULT_DECISIONS_FILE = join(homedir(), '.cctap', 'guard', 'decisions.jsonl');

/** Matches and reasons longer than this are cut: a heredoc of a megabyte is not worth keeping twice. */
const MAX_TEXT = 2000;
const cut = (s: string | null): string | null => (s !== null && s.length > MAX_TEXT ? s.slice(0, MAX_TEXT) : s);

export function appendDecision(file: string, line: DecisionLine): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const record = { ...line, match: cut(line.match), reason: cut(line.reason) ?? '' };
  appendFileSync(file, `${JSON.stringify(record)}\n`, { mode: 0o600 });
}
