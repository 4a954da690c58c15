/**
 * The rule engine: events in, firing/resolved signals out. Pure apart from the clock it is handed.
 *
 * - match: every fresh matching event is an occurrence of the alert `rule + group labels`. Match alerts
 *   resolve in the dispatcher, `resolveAfter` after their last occurrence.
 * - threshold: per group, the events of the window (deduplicated by `distinctBy`, largest value kept) are
 *   aggregated (count, sum, or span = seconds between first and last). Crossing the threshold fires (when
 *   the event that crossed it is fresh); dropping back below (window slides, new day) resolves.
 * - absence: per group, the last time a matching event arrived; `for` without one fires, the next one resolves.
 *
 * Held conditions (threshold over, group absent) are re-asserted on every `tick` so the dispatcher's
 * `resolveAfter` only resolves what nobody holds any more (e.g. after a restart lost the window).
 *
 * Freshness: events older than `maxEventAgeMs` (by their ts) feed windows but never fire, so a backfill of
 * last month's transcripts does not page anyone.
 */
import type { Clock } from '@cctap/kit';
import type { AbsenceRule, Rule, ThresholdRule } from '../rules/rule-schema.js';
import { evaluateAll, getField, type PredicateHit } from './predicates.js';
import { emptyEvidence, type EngineInput, type Evidence, type Signal } from './signal.js';

export interface RuleEngineOptions {
  rules: readonly Rule[];
  clock: Clock;
  maxEventAgeMs: number;
  /** Bound on distinct entries kept per threshold group; the oldest go first. */
  maxEntriesPerGroup?: number;
  /** Record what changed for `takeChanges` (the state is persisted; see engine-state.ts). */
  trackChanges?: boolean;
}

/** A window entry as persisted: distinct key, event time, value. */
export type StoredWindowEntry = [dk: string, ts: number, value: number];

/** One threshold group's persisted state; `entries` are the entries added or grown since the last save. */
export interface ThresholdGroupState {
  key: string;
  labels: Record<string, string>;
  firing: boolean;
  evidence: Evidence;
  entries: StoredWindowEntry[];
  /** Entries older than this are out of the window (persisted ones may be dropped). */
  windowStart: number;
}

export interface AbsenceGroupState {
  key: string;
  labels: Record<string, string>;
  lastSeen: number;
  firing: boolean;
  evidence: Evidence;
}

/** What changed since the last `takeChanges`: groups to write, and groups gone. */
export interface EngineChanges {
  thresholds: ThresholdGroupState[];
  absences: AbsenceGroupState[];
  dropped: string[];
}

interface WindowEntry {
  ts: number;
  value: number;
}
interface ThresholdGroup {
  labels: Record<string, string>;
  entries: Map<string, WindowEntry>;
  firing: boolean;
  evidence: Evidence;
}
interface AbsenceGroup {
  labels: Record<string, string>;
  lastSeen: number;
  firing: boolean;
  evidence: Evidence;
}

const ENVELOPE_LABELS = new Set(['host', 'user', 'sessionId', 'project', 'type']);

function alertKey(rule: string, labels: Record<string, string>, groupBy: readonly string[]): string {
  return [rule, ...groupBy.map((g) => `${g}=${labels[g] ?? ''}`)].join('|');
}

function labelValue(input: EngineInput, name: string): string {
  const v = ENVELOPE_LABELS.has(name) ? (input as unknown as Record<string, unknown>)[name] : getField(input, name);
  return v === undefined || v === null ? '' : String(v);
}

function numberOf(input: EngineInput, fields: string | string[] | undefined): number {
  if (fields === undefined) return 1;
  let sum = 0;
  for (const f of typeof fields === 'string' ? [fields] : fields) {
    const v = getField(input, f);
    if (typeof v === 'number' && Number.isFinite(v)) sum += v;
  }
  return sum;
}

function evidenceOf(input: EngineInput, hits: readonly PredicateHit[]): Evidence {
  const payload = (input.payload ?? {}) as Record<string, unknown>;
  const input_ = (payload.input ?? {}) as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' ? v : null);
  return {
    ...emptyEvidence(),
    eventId: input.id,
    eventType: input.type,
    ts: input.ts,
    host: input.host,
    user: input.user,
    project: input.project,
    sessionId: input.sessionId,
    command: str(payload.command) ?? str(input_.command),
    filePath: str(payload.filePath) ?? str(input_.file_path) ?? str(input_.path) ?? str(input_.notebook_path),
    findings: [...new Set(hits.flatMap((h) => h.findings))],
  };
}

function utcDayStart(ms: number): number {
  return ms - (ms % 86_400_000);
}

export class RuleEngine {
  #rules: readonly Rule[];
  readonly #clock: Clock;
  /** Events older than this (by ts) never fire. */
  maxEventAgeMs: number;
  readonly #maxEntries: number;
  #thresholds = new Map<string, ThresholdGroup>();
  #absences = new Map<string, AbsenceGroup>();
  /** Events that matched no rule because they were too old to fire. */
  staleSkipped = 0;
  /** Change tracking (only with `trackChanges`): groups changed, with their new entries; groups gone. */
  readonly #track: boolean;
  #changed = new Map<string, Map<string, WindowEntry>>();
  #dropped = new Set<string>();

  constructor(opts: RuleEngineOptions) {
    this.#rules = opts.rules;
    this.#clock = opts.clock;
    this.maxEventAgeMs = opts.maxEventAgeMs;
    this.#maxEntries = opts.maxEntriesPerGroup ?? 50_000;
    this.#track = opts.trackChanges === true;
  }

  #touch(key: string, dk?: string, entry?: WindowEntry): void {
    if (!this.#track) return;
    this.#dropped.delete(key);
    let m = this.#changed.get(key);
    if (!m) this.#changed.set(key, (m = new Map()));
    if (dk !== undefined && entry) m.set(dk, entry);
  }

  #drop(key: string): void {
    if (!this.#track) return;
    this.#changed.delete(key);
    this.#dropped.add(key);
  }

  /** The groups changed since the last call (their state now, with the entries added since), and those gone. */
  takeChanges(): EngineChanges {
    const out: EngineChanges = { thresholds: [], absences: [], dropped: [...this.#dropped] };
    const byName = new Map(this.#rules.map((r) => [r.name, r]));
    const now = this.#clock.now();
    for (const [key, added] of this.#changed) {
      const rule = byName.get(key.split('|')[0]!);
      const t = this.#thresholds.get(key);
      if (t && rule?.kind === 'threshold') {
        out.thresholds.push({
          key,
          labels: t.labels,
          firing: t.firing,
          evidence: t.evidence,
          entries: [...added].map(([dk, e]) => [dk, e.ts, e.value]),
          windowStart: this.#windowStart(rule, now),
        });
      }
      const a = this.#absences.get(key);
      if (a) out.absences.push({ key, labels: a.labels, lastSeen: a.lastSeen, firing: a.firing, evidence: a.evidence });
    }
    this.#changed = new Map();
    this.#dropped = new Set();
    return out;
  }

  /** Takes back persisted groups (before any event is ingested): windows, firing flags, absence timers. */
  restore(state: { thresholds: ThresholdGroupState[]; absences: AbsenceGroupState[] }): void {
    for (const t of state.thresholds) {
      const entries = new Map<string, WindowEntry>();
      // Entries were appended as they grew: the same merge as ingestion (largest value, earliest time).
      for (const [dk, ts, value] of t.entries) {
        const prev = entries.get(dk);
        if (!prev || value > prev.value) entries.set(dk, { ts: Math.min(ts, prev?.ts ?? ts), value });
      }
      this.#thresholds.set(t.key, { labels: t.labels, entries, firing: t.firing, evidence: t.evidence });
    }
    for (const a of state.absences)
      this.#absences.set(a.key, { labels: a.labels, lastSeen: a.lastSeen, firing: a.firing, evidence: a.evidence });
  }

  /** Swaps the rules (reload). State of rules that still exist under the same name is kept. */
  setRules(rules: readonly Rule[]): void {
    this.#rules = rules;
    const names = new Set(rules.map((r) => r.name));
    for (const map of [this.#thresholds, this.#absences] as const) {
      for (const k of map.keys())
        if (!names.has(k.split('|')[0]!)) {
          map.delete(k);
          this.#drop(k);
        }
    }
  }

  get rules(): readonly Rule[] {
    return this.#rules;
  }

  /** Remembers a group an absence rule watches (used after a restart, from the stored alerts). */
  seedAbsence(ruleName: string, labels: Record<string, string>, lastSeen: number): void {
    const rule = this.#rules.find((r) => r.name === ruleName && r.kind === 'absence');
    if (!rule) return;
    const key = alertKey(rule.name, labels, rule.groupBy);
    if (!this.#absences.has(key)) {
      this.#absences.set(key, { labels, lastSeen, firing: false, evidence: emptyEvidence() });
      this.#touch(key);
    }
  }

  ingest(input: EngineInput): Signal[] {
    const now = this.#clock.now();
    const tsMs = Date.parse(input.ts);
    const fresh = !Number.isFinite(tsMs) || now - tsMs <= this.maxEventAgeMs;
    const out: Signal[] = [];
    for (const rule of this.#rules) {
      if (rule.source !== input.source || !rule.types.includes(input.type)) continue;
      const hits = evaluateAll(rule.where, rule.whereAny, input);
      if (!hits) continue;
      const labels: Record<string, string> = {};
      for (const g of rule.groupBy) labels[g] = labelValue(input, g);
      const key = alertKey(rule.name, labels, rule.groupBy);
      const evidence = evidenceOf(input, hits);
      if (rule.kind === 'match') {
        if (!fresh) {
          this.staleSkipped++;
          continue;
        }
        out.push({ status: 'firing', rule, severity: rule.severity, key, labels, occurrence: true, evidence });
      } else if (rule.kind === 'threshold') {
        const s = this.#ingestThreshold(
          rule,
          key,
          labels,
          input,
          Number.isFinite(tsMs) ? tsMs : now,
          evidence,
          fresh,
          now,
        );
        if (s) out.push(s);
      } else {
        const s = this.#ingestAbsence(rule, key, labels, now, evidence);
        if (s) out.push(s);
      }
    }
    return out;
  }

  #windowStart(rule: ThresholdRule, now: number): number {
    return rule.window === 'utc-day' ? utcDayStart(now) : now - rule.window;
  }

  #aggregate(rule: ThresholdRule, g: ThresholdGroup, now: number): number {
    const start = this.#windowStart(rule, now);
    let sum = 0;
    let count = 0;
    let min = Infinity;
    let max = -Infinity;
    for (const [k, e] of g.entries) {
      if (e.ts < start) {
        g.entries.delete(k);
        continue;
      }
      sum += e.value;
      count++;
      if (e.ts < min) min = e.ts;
      if (e.ts > max) max = e.ts;
    }
    if (rule.aggregate === 'count') return count;
    if (rule.aggregate === 'sum') return Math.round(sum * 1e6) / 1e6;
    return count === 0 ? 0 : Math.round((max - min) / 1000);
  }

  #over(rule: ThresholdRule, v: number): boolean {
    return rule.comparison === 'gt' ? v > rule.threshold : v >= rule.threshold;
  }

  #ingestThreshold(
    rule: ThresholdRule,
    key: string,
    labels: Record<string, string>,
    input: EngineInput,
    tsMs: number,
    evidence: Evidence,
    fresh: boolean,
    now: number,
  ): Signal | null {
    let g = this.#thresholds.get(key);
    if (!g) {
      g = { labels, entries: new Map(), firing: false, evidence };
      this.#thresholds.set(key, g);
    }
    const distinct = rule.distinctBy ? getField(input, rule.distinctBy) : undefined;
    const dk = distinct === undefined || distinct === null ? `id:${input.id}` : `d:${String(distinct)}`;
    const value = rule.aggregate === 'sum' ? numberOf(input, rule.value) : 1;
    const prev = g.entries.get(dk);
    if (!prev || value > prev.value) {
      const entry = { ts: Math.min(tsMs, prev?.ts ?? tsMs), value };
      g.entries.set(dk, entry);
      this.#touch(key, dk, entry);
    } else this.#touch(key);
    if (g.entries.size > this.#maxEntries) {
      const oldest = g.entries.keys().next().value;
      if (oldest !== undefined) g.entries.delete(oldest);
    }
    // Windows slide on event time when events are fresh; the clock may lag a replay, so take the later.
    const at = Math.max(now, fresh ? tsMs : 0);
    const agg = this.#aggregate(rule, g, at);
    const over = this.#over(rule, agg);
    g.evidence = { ...evidence, value: agg, threshold: rule.threshold };
    if (over && !g.firing && fresh) {
      g.firing = true;
      return { status: 'firing', rule, severity: rule.severity, key, labels, occurrence: true, evidence: g.evidence };
    }
    if (over && g.firing)
      return { status: 'firing', rule, severity: rule.severity, key, labels, occurrence: false, evidence: g.evidence };
    if (!over && g.firing) {
      g.firing = false;
      return {
        status: 'resolved',
        rule,
        severity: rule.severity,
        key,
        labels,
        occurrence: false,
        evidence: g.evidence,
      };
    }
    return null;
  }

  #ingestAbsence(
    rule: AbsenceRule,
    key: string,
    labels: Record<string, string>,
    now: number,
    evidence: Evidence,
  ): Signal | null {
    const g = this.#absences.get(key);
    this.#touch(key);
    if (!g) {
      this.#absences.set(key, { labels, lastSeen: now, firing: false, evidence });
      return null;
    }
    g.lastSeen = now;
    g.evidence = evidence;
    if (g.firing) {
      g.firing = false;
      return { status: 'resolved', rule, severity: rule.severity, key, labels, occurrence: false, evidence };
    }
    return null;
  }

  /** Slides windows and checks absences; re-asserts every held condition. */
  tick(): Signal[] {
    const now = this.#clock.now();
    const out: Signal[] = [];
    const byName = new Map(this.#rules.map((r) => [r.name, r]));
    for (const [key, g] of this.#thresholds) {
      const rule = byName.get(key.split('|')[0]!);
      if (!rule || rule.kind !== 'threshold') continue;
      const agg = this.#aggregate(rule, g, now);
      const over = this.#over(rule, agg);
      if (g.firing && over)
        out.push({
          status: 'firing',
          rule,
          severity: rule.severity,
          key,
          labels: g.labels,
          occurrence: false,
          evidence: { ...g.evidence, value: agg },
        });
      else if (g.firing) {
        g.firing = false;
        this.#touch(key);
        out.push({
          status: 'resolved',
          rule,
          severity: rule.severity,
          key,
          labels: g.labels,
          occurrence: false,
          evidence: { ...g.evidence, value: agg },
        });
      }
      if (g.entries.size === 0 && !g.firing) {
        this.#thresholds.delete(key);
        this.#drop(key);
      }
    }
    for (const [key, g] of this.#absences) {
      const rule = byName.get(key.split('|')[0]!);
      if (!rule || rule.kind !== 'absence') continue;
      if (now - g.lastSeen >= rule.for) {
        const occurrence = !g.firing;
        g.firing = true;
        if (occurrence) this.#touch(key);
        const evidence = {
          ...g.evidence,
          value: Math.round((now - g.lastSeen) / 1000),
          threshold: Math.round(rule.for / 1000),
        };
        out.push({ status: 'firing', rule, severity: rule.severity, key, labels: g.labels, occurrence, evidence });
      }
    }
    return out;
  }
}
