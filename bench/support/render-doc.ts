/**
 * Renders docs/benchmarks.md from benchmark results (bench/out/results/*.json) and the hand-written notes
 * (bench/notes/*.md). Pure: strings in, string out.
 *
 * Every section ends with its result as JSON in an HTML comment, and the run header with the run's
 * description, so the document itself carries everything needed to re-render it: a later run of one
 * benchmark (`--only`, or a script run on its own) replaces that benchmark's section and summary rows and
 * keeps the others exactly as they were measured, labelled with their own date.
 */
import { goalFactor, meetsGoal, parseBenchResult, type BenchMetric, type BenchResult } from './bench-result.js';
import type { Machine } from './machine.js';

export interface RunInfo {
  runId: string;
  machine: Machine;
  command: string;
  startedAt: string;
  finishedAt: string;
  /** What sizes this run used: full, quick, or mixed (named per benchmark in the summary). */
  profile: 'full' | 'quick' | 'mixed';
  /** Benchmarks this run tried that did not produce a result. */
  failures: { id: string; reason: string }[];
}

export interface BenchmarkEntry {
  id: string;
  title: string;
}

export interface DocNotes {
  /** Before the run header: what the document is and how numbers are taken. */
  method: string;
  /** The corpus generator, its own section after the summary. */
  corpus: string;
  /** Per benchmark id; a `<!-- results -->` line splits it into intro (before the numbers) and notes (after). */
  perBenchmark: ReadonlyMap<string, string>;
}

export interface DocInput {
  /** Harness runs whose results are shown, newest first (a `--only` run shows the others from earlier runs). */
  runs: readonly RunInfo[];
  benchmarks: readonly BenchmarkEntry[];
  results: ReadonlyMap<string, BenchResult>;
  notes: DocNotes;
}

const RESULT_TAG = 'bench-result';
const RUN_TAG = 'bench-run';
const RESULTS_SPLIT = '<!-- results -->';

/** JSON inside an HTML comment: `--` may not appear there, so it is written as the JSON escape `-\u002d`. */
function embed(tag: string, value: unknown): string {
  return `<!-- ${tag} ${JSON.stringify(value).replaceAll('--', '-\\u002d')} -->`;
}

function embedded(doc: string, tag: string): unknown[] {
  const out: unknown[] = [];
  const re = new RegExp(`<!-- ${tag} (\\{.*?\\}) -->`, 'g');
  for (const m of doc.matchAll(re)) out.push(JSON.parse(m[1] as string));
  return out;
}

/** The results a previously rendered document carries, by id. Unreadable entries are reported, not fatal. */
export function readEmbeddedResults(doc: string, onError: (err: Error) => void = () => {}): Map<string, BenchResult> {
  const out = new Map<string, BenchResult>();
  for (const [i, raw] of embedded(doc, RESULT_TAG).entries()) {
    try {
      const r = parseBenchResult(raw, `docs/benchmarks.md result #${i + 1}`);
      out.set(r.id, r);
    } catch (err) {
      onError(err as Error);
    }
  }
  return out;
}

/** The harness runs a previously rendered document describes, newest first. */
export function readEmbeddedRuns(doc: string): RunInfo[] {
  return (embedded(doc, RUN_TAG) as RunInfo[]).sort((a, b) => b.startedAt.localeCompare(a.startedAt));
}

/** The runs worth describing: the newest, and every other one some shown result comes from. */
export function runsToShow(runs: readonly RunInfo[], results: ReadonlyMap<string, BenchResult>): RunInfo[] {
  const sorted = [...runs].sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  const used = new Set([...results.values()].map((r) => r.runId));
  return sorted
    .filter((r, i) => i === 0 || used.has(r.runId))
    .filter((r, i, all) => all.findIndex((x) => x.runId === r.runId) === i);
}

/** The newest failure of this benchmark that is more recent than the result shown for it. */
function failureOf(
  id: string,
  result: BenchResult | undefined,
  runs: readonly RunInfo[],
): RunInfo['failures'][number] | undefined {
  for (const run of runs) {
    const f = run.failures.find((x) => x.id === id);
    if (f && (!result || Date.parse(run.startedAt) > Date.parse(result.measuredAt))) return f;
  }
  return undefined;
}

function formatNumber(n: number, digits: number): string {
  if (!Number.isFinite(n)) return '—';
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** `12.5 MB/s`, but `31%` and `1.20×`. */
const unitAfter = (text: string, unit: string): string =>
  unit === '%' || unit === '×' ? `${text}${unit}` : `${text} ${unit}`.trim();
const withUnit = (n: number, m: BenchMetric): string =>
  Number.isFinite(n) ? unitAfter(formatNumber(n, m.digits), m.unit) : '—';
const cell = (s: string): string => s.replaceAll('|', '\\|').replaceAll('\n', ' ');
const anchor = (title: string): string =>
  title
    .toLowerCase()
    .replace(/[^a-z0-9 -]/g, '')
    .trim()
    .replace(/ /g, '-');

function verdict(m: BenchMetric): string {
  const met = meetsGoal(m.goal, m.median);
  return met === null ? '—' : met ? '**met**' : '**not met**';
}

function goalText(m: BenchMetric): string {
  if (!m.goal) return '—';
  const digits = Number.isInteger(m.goal.value) ? 0 : m.digits;
  return `${m.goal.op === '>=' ? '≥' : '≤'} ${unitAfter(formatNumber(m.goal.value, digits), m.unit)}`;
}

function factorText(m: BenchMetric): string {
  const f = goalFactor(m.goal, m.median);
  return f === null ? '—' : `${formatNumber(f, 2)}×`;
}

const load1 = (l: readonly number[]): string => formatNumber(l[0] ?? NaN, 2);

function loadText(r: BenchResult): string {
  return `${load1(r.load.start)} → ${load1(r.load.end)}`;
}

function spreadText(m: BenchMetric): string {
  if (!Number.isFinite(m.min)) return '—';
  return m.samples.length <= 1
    ? `${formatNumber(m.min, m.digits)} (1 run)`
    : `${formatNumber(m.min, m.digits)}–${formatNumber(m.max, m.digits)}`;
}

const minute = (iso: string): string => `${iso.slice(0, 16).replace('T', ' ')} UTC`;

function profileLabel(r: BenchResult, runs: readonly RunInfo[]): string {
  const sizes = r.profile === 'quick' ? 'quick sizes' : r.profile === 'full' ? 'full sizes' : 'run on its own';
  const i = runs.findIndex((x) => x.runId === r.runId);
  if (i === 0) return sizes;
  if (i > 0) return `${sizes}, run of ${minute((runs[i] as RunInfo).startedAt)}`;
  return `${sizes}, ${minute(r.measuredAt)}`;
}

function machineText(m: Machine): string {
  return `nproc ${m.nproc} (${m.cpus} × ${m.cpuModel}), ${m.memoryGiB} GiB RAM, ${m.os}, Node ${m.node}`;
}

function splitNotes(text: string | undefined): { intro: string; notes: string } {
  if (!text) return { intro: '', notes: '' };
  const i = text.indexOf(RESULTS_SPLIT);
  if (i < 0) return { intro: '', notes: text.trim() };
  return { intro: text.slice(0, i).trim(), notes: text.slice(i + RESULTS_SPLIT.length).trim() };
}

function runLines(run: RunInfo, newest: boolean): string[] {
  const dur = (Date.parse(run.finishedAt) - Date.parse(run.startedAt)) / 60_000;
  const sizes =
    run.profile === 'full'
      ? 'full sizes'
      : run.profile === 'quick'
        ? 'quick sizes: for checking the harness, not for comparing'
        : 'mixed sizes, named per benchmark below';
  const lines = [
    `- **${newest ? 'Run' : 'Earlier run'}**: ${minute(run.startedAt)}, ${formatNumber(dur, 0)} min: \`${run.command}\` (${sizes})`,
    `  - Machine: ${machineText(run.machine)}`,
  ];
  for (const f of run.failures) lines.push(`  - Failed: \`${f.id}\`: ${f.reason}`);
  return lines;
}

function runHeader(runs: readonly RunInfo[]): string[] {
  if (runs.length === 0) return ['No `npm run bench` run yet; every section names when and how it was measured.', ''];
  const lines = runs.flatMap((r, i) => runLines(r, i === 0));
  if (runs.length > 1) lines.push('', 'Sections measured in an earlier run name it next to their numbers.');
  return [...lines, ''];
}

function summaryTable(input: DocInput): string[] {
  const rows = [
    '| Benchmark | Measure | Median | Spread (min–max) | Goal | Median vs goal | Met | Load (1 min) start → end | Sizes |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const b of input.benchmarks) {
    const r = input.results.get(b.id);
    const link = `[${b.title}](#${anchor(b.title)})`;
    if (!r) {
      rows.push(`| ${link} | not measured | — | — | — | — | — | — | — |`);
      continue;
    }
    for (const m of r.metrics.filter((x) => x.summary)) {
      rows.push(
        `| ${link} | ${cell(m.title)} | ${withUnit(m.median, m)} | ${spreadText(m)} | ${goalText(m)} | ${factorText(m)} | ${verdict(m)} | ${loadText(r)} | ${profileLabel(r, input.runs)} |`,
      );
    }
  }
  return rows;
}

function metricsTable(r: BenchResult): string[] {
  return [
    '| Measure | Median | Spread (min–max) | Samples | Goal | Met | What one sample is |',
    '|---|---|---|---|---|---|---|',
    ...r.metrics.map(
      (m) =>
        `| ${cell(m.title)} | ${withUnit(m.median, m)} | ${spreadText(m)} | ${m.samples.length} | ${goalText(m)}${m.goal?.source ? ` (${cell(m.goal.source)})` : ''} | ${verdict(m)} | ${cell(m.metric)}${m.notes ? `; ${cell(m.notes)}` : ''} |`,
    ),
  ];
}

function section(b: BenchmarkEntry, input: DocInput): string[] {
  const r = input.results.get(b.id);
  const { intro, notes } = splitNotes(input.notes.perBenchmark.get(b.id));
  const out = [`## ${b.title}`, ''];
  if (intro) out.push(intro, '');
  if (!r) {
    const failed = failureOf(b.id, r, input.runs);
    out.push(failed ? `Not measured: the last run failed (${failed.reason}).` : 'Not measured yet.', '');
  } else {
    const failed = failureOf(b.id, r, input.runs);
    if (failed)
      out.push(
        `**The last run of this benchmark failed** (${failed.reason}); the numbers below are from ${r.measuredAt.slice(0, 10)}.`,
        '',
      );
    out.push(
      `Measured ${r.measuredAt.slice(0, 16).replace('T', ' ')} UTC (${profileLabel(r, input.runs)}), ${formatNumber(r.durationSeconds / 60, 1)} min; ` +
        `load average (1 min) ${loadText(r)}; ${r.machine}.`,
      `Command: \`${r.command}\``,
      '',
      ...metricsTable(r),
      '',
    );
    if (r.details.trim()) out.push(r.details.trim(), '');
    if (r.checks.length > 0) {
      for (const c of r.checks) out.push(`- Check: ${c.name}: **${c.ok ? 'yes' : 'NO'}** (${c.detail})`);
      out.push('');
    }
  }
  if (notes) out.push(notes, '');
  if (r) out.push(embed(RESULT_TAG, r), '');
  return out;
}

export function renderBenchmarksDoc(input: DocInput): string {
  const out = [
    '# Benchmarks',
    '',
    '<!-- Generated by `npm run bench` (bench/run-all.ts) from bench/out/results/*.json and bench/notes/*.md.',
    '     Edit the notes files, not this file: the next run rewrites it. -->',
    '',
    input.notes.method.trim(),
    '',
    '## Runs',
    '',
    ...runHeader(input.runs),
    '## Summary',
    '',
    'Medians over runs; "Median vs goal" is median ÷ goal for ≥ goals and goal ÷ median for ≤ goals, so above',
    '1.00× is met. Met/not met is computed from the goal and the median when this file is rendered.',
    '',
    ...summaryTable(input),
    '',
    '## The corpus generator',
    '',
    input.notes.corpus.trim(),
    '',
    ...input.benchmarks.flatMap((b) => section(b, input)),
  ];
  for (const run of input.runs) out.push(embed(RUN_TAG, run), '');
  return `${out
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trimEnd()}\n`;
}
