/** What the rule engine tells the dispatcher: an alert condition holds (firing) or cleared (resolved). */
import type { Rule, Severity } from '../rules/rule-schema.js';

/** What an alert shows about its cause: never more than the triggering event carried. */
export interface Evidence {
  eventId: string | null;
  eventType: string | null;
  ts: string | null;
  host: string | null;
  user: string | null;
  project: string | null;
  sessionId: string | null;
  /** The matched command or file path (already redacted by the collector's privacy mode). */
  command: string | null;
  filePath: string | null;
  /** What the detectors found: dangerous kinds, secret paths. */
  findings: string[];
  /** Threshold rules: the aggregate that crossed, and the threshold. */
  value: number | null;
  threshold: number | null;
}

export interface Signal {
  status: 'firing' | 'resolved';
  rule: Rule;
  severity: Severity;
  /** Alert key: rule + group labels. One alert per key. */
  key: string;
  labels: Record<string, string>;
  /** True for a new occurrence (a matching event); false when a held condition is merely re-asserted. */
  occurrence: boolean;
  evidence: Evidence | null;
}

/** An event as the engine sees it: normalized (`source: events`) or derived (`type` = the derived kind). */
export interface EngineInput {
  source: 'events' | 'derived';
  type: string;
  id: string;
  ts: string;
  host: string;
  user: string | null;
  sessionId: string | null;
  project: string | null;
  /** The host's labels (`collect --labels team=payments`); budgets of scope team read them. */
  labels?: Readonly<Record<string, string>>;
  payload: unknown;
}

export function emptyEvidence(): Evidence {
  return {
    eventId: null,
    eventType: null,
    ts: null,
    host: null,
    user: null,
    project: null,
    sessionId: null,
    command: null,
    filePath: null,
    findings: [],
    value: null,
    threshold: null,
  };
}
