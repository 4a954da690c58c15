/**
 * The one result shape every benchmark writes (bench/out/results/<id>.json) and docs/benchmarks.md is
 * rendered from. A benchmark (one script invocation, one section of the doc) reports several measures;
 * each measure carries its samples, their median and spread, and its goal. Verdicts are never stored as
 * the source of truth: `meetsGoal` computes them from the goal and the median wherever they are shown.
 */
import { spread } from './stats.js';

export const RESULT_SCHEMA = 1;

export type GoalOp = '>=' | '<=';

export interface Goal {
  op: GoalOp;
  value: number;
  /** Where the goal comes from (issue, design), shown next to it. */
  source?: string;
}

export interface BenchMetric {
  /** Stable within its benchmark, e.g. `redacted-mb-per-cpu-s`. */
  id: string;
  /** What was measured, as a reader says it. */
  title: string;
  /** What one sample is, e.g. "median of one run's per-flush rates". */
  metric: string;
  unit: string;
  /** One value per timed run (or per run's statistic, e.g. each run's p99). */
  samples: number[];
  median: number;
  min: number;
  max: number;
  goal: Goal | null;
  /** Computed from goal and median when the result was written; renderers recompute it. */
  met: boolean | null;
  notes?: string;
  /** Decimals when shown. */
  digits: number;
  /** false: shown in the benchmark's section only, not in the summary table. */
  summary: boolean;
}

export interface LoadAverage {
  start: [number, number, number];
  end: [number, number, number];
}

export interface BenchResult {
  schema: typeof RESULT_SCHEMA;
  id: string;
  title: string;
  /** The exact command that reproduces this result. */
  command: string;
  /** ISO time the measurement finished. */
  measuredAt: string;
  durationSeconds: number;
  /** Machine line of the process that measured (the doc header describes the run's machine). */
  machine: string;
  load: LoadAverage;
  /** 'full' or 'quick' when run by the harness (bench/run-all.ts), 'standalone' otherwise. */
  profile: 'full' | 'quick' | 'standalone';
  /** Set by the harness: which `npm run bench` run produced this file. */
  runId?: string;
  metrics: BenchMetric[];
  /** Correctness checks made outside the timed parts (e.g. the report equals expected.json). */
  checks: { name: string; ok: boolean; detail: string }[];
  /** Markdown: inputs, extra columns and anything the metrics table does not carry. */
  details: string;
}

export class InvalidBenchResultError extends Error {
  override readonly name = 'InvalidBenchResultError';
  constructor(
    readonly where: string,
    message: string,
  ) {
    super(`${where}: ${message}`);
  }
}

/** null when there is no goal; a NaN median (nothing measured) never meets a goal. */
export function meetsGoal(goal: Goal | null, median: number): boolean | null {
  if (!goal) return null;
  if (!Number.isFinite(median)) return false;
  return goal.op === '>=' ? median >= goal.value : median <= goal.value;
}

/** How far the median is from the goal, as a factor where > 1 means better than the goal. */
export function goalFactor(goal: Goal | null, median: number): number | null {
  if (!goal || !Number.isFinite(median) || goal.value === 0 || median === 0) return null;
  return goal.op === '>=' ? median / goal.value : goal.value / median;
}

export interface MetricInput {
  id: string;
  title: string;
  metric: string;
  unit: string;
  samples: readonly number[];
  goal?: Goal | null;
  notes?: string;
  digits?: number;
  summary?: boolean;
}

export function metric(m: MetricInput): BenchMetric {
  const finite = m.samples.filter((x) => Number.isFinite(x));
  const s = finite.length > 0 ? spread(finite) : { median: NaN, min: NaN, max: NaN };
  const goal = m.goal ?? null;
  return {
    id: m.id,
    title: m.title,
    metric: m.metric,
    unit: m.unit,
    samples: [...m.samples],
    median: s.median,
    min: s.min,
    max: s.max,
    goal,
    met: meetsGoal(goal, s.median),
    ...(m.notes ? { notes: m.notes } : {}),
    digits: m.digits ?? 1,
    summary: m.summary ?? true,
  };
}

const isNum = (x: unknown): x is number => typeof x === 'number' || x === null; // NaN is stored as null by JSON

/** Checks a parsed result file enough that rendering cannot trip over it; NaN comes back from JSON as null. */
export function parseBenchResult(value: unknown, where: string): BenchResult {
  const fail = (msg: string): never => {
    throw new InvalidBenchResultError(where, msg);
  };
  if (typeof value !== 'object' || value === null) fail('not an object');
  const r = value as Partial<BenchResult>;
  if (r.schema !== RESULT_SCHEMA) fail(`schema ${String(r.schema)}, expected ${RESULT_SCHEMA}`);
  for (const k of ['id', 'title', 'command', 'measuredAt', 'machine', 'details'] as const)
    if (typeof r[k] !== 'string') fail(`${k} must be a string`);
  if (!Array.isArray(r.metrics)) fail('metrics must be an array');
  const metrics = (r.metrics as unknown[]).map((raw, i) => {
    const m = raw as Partial<BenchMetric> & { samples?: unknown[] };
    if (typeof m.id !== 'string' || typeof m.title !== 'string' || typeof m.unit !== 'string')
      fail(`metrics[${i}] needs id, title, unit`);
    if (!Array.isArray(m.samples) || !m.samples.every(isNum)) fail(`metrics[${i}].samples must be numbers`);
    for (const k of ['median', 'min', 'max'] as const) if (!isNum(m[k])) fail(`metrics[${i}].${k} must be a number`);
    const goal = m.goal ?? null;
    if (goal !== null && ((goal.op !== '>=' && goal.op !== '<=') || typeof goal.value !== 'number'))
      fail(`metrics[${i}].goal must be { op: '>=' | '<=', value }`);
    const num = (x: number | null | undefined) => (typeof x === 'number' ? x : NaN);
    return {
      ...(m as BenchMetric),
      metric: m.metric ?? '',
      samples: (m.samples as (number | null)[]).map(num),
      median: num(m.median),
      min: num(m.min),
      max: num(m.max),
      goal,
      met: meetsGoal(goal, num(m.median)),
      digits: typeof m.digits === 'number' ? m.digits : 1,
      summary: m.summary ?? true,
    } satisfies BenchMetric;
  });
  return {
    ...(r as BenchResult),
    profile: r.profile ?? 'standalone',
    durationSeconds: typeof r.durationSeconds === 'number' ? r.durationSeconds : NaN,
    load: r.load ?? { start: [NaN, NaN, NaN], end: [NaN, NaN, NaN] },
    checks: Array.isArray(r.checks) ? r.checks : [],
    metrics,
  };
}
