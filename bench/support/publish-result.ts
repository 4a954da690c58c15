/**
 * Where benchmark results go: each script calls `publishResult` once at the end, which writes
 * bench/out/results/<id>.json and (unless CCTAP_BENCH_NO_DOC=1, which the harness sets, or the script was
 * told --no-doc) re-renders docs/benchmarks.md so a benchmark run on its own still updates its section.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BENCHMARKS } from '../benchmarks.js';
import { parseBenchResult, RESULT_SCHEMA, type BenchMetric, type BenchResult } from './bench-result.js';
import { describeMachine, machineLine } from './machine.js';
import { readEmbeddedResults, readEmbeddedRuns, renderBenchmarksDoc, runsToShow, type RunInfo } from './render-doc.js';

export const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const RESULTS_DIR = join(REPO, 'bench', 'out', 'results');
export const DOC_PATH = join(REPO, 'docs', 'benchmarks.md');
const NOTES_DIR = join(REPO, 'bench', 'notes');

// When this module is first loaded is when the benchmark process started, near enough.
const STARTED = Date.now();
const START_LOAD = loadavg() as [number, number, number];

export const resultPath = (id: string): string => join(RESULTS_DIR, `${id}.json`);

/** `npm run bench:<name> -- <the arguments this process got>`, minus flags that are internal plumbing. */
export function npmCommand(script: string, internal: readonly string[] = ['--pinned', '--no-doc']): string {
  const args = process.argv.slice(2).filter((a) => !internal.includes(a));
  return `npm run ${script}${args.length > 0 ? ` -- ${args.join(' ')}` : ''}`;
}

export interface PublishInput {
  id: string;
  command: string;
  metrics: BenchMetric[];
  checks?: BenchResult['checks'];
  details: string;
  /** Skip the doc even when run on its own (the script's own --no-doc). */
  noDoc?: boolean;
}

export function publishResult(input: PublishInput): BenchResult {
  const spec = BENCHMARKS.find((b) => b.id === input.id);
  const result: BenchResult = {
    schema: RESULT_SCHEMA,
    id: input.id,
    title: spec?.title ?? input.id,
    command: input.command,
    measuredAt: new Date().toISOString(),
    durationSeconds: (Date.now() - STARTED) / 1000,
    machine: machineLine(describeMachine()),
    load: { start: START_LOAD, end: loadavg() as [number, number, number] },
    profile: 'standalone',
    metrics: input.metrics,
    checks: input.checks ?? [],
    details: input.details,
  };
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(resultPath(input.id), `${JSON.stringify(result, null, 2)}\n`);
  console.log(`result: ${resultPath(input.id)}`);
  if (!input.noDoc && process.env.CCTAP_BENCH_NO_DOC !== '1') {
    rewriteBenchmarksDoc();
    console.log(`updated ${DOC_PATH}`);
  }
  return result;
}

export function readResultFile(path: string): BenchResult {
  return parseBenchResult(JSON.parse(readFileSync(path, 'utf8')), path);
}

function readNotes(): { method: string; corpus: string; perBenchmark: Map<string, string> } {
  const read = (name: string) => {
    const p = join(NOTES_DIR, `${name}.md`);
    return existsSync(p) ? readFileSync(p, 'utf8') : '';
  };
  return {
    method: read('method'),
    corpus: read('corpus'),
    perBenchmark: new Map(BENCHMARKS.map((b) => [b.id, read(b.id)])),
  };
}

/**
 * Re-reads docs/benchmarks.md (someone may have re-run a benchmark since), takes every result it carries,
 * replaces those for which bench/out/results/ has a newer file, and writes the document again.
 * `run` is the harness run that just finished; earlier runs stay described while results of theirs are shown.
 */
export function rewriteBenchmarksDoc(run?: RunInfo): void {
  const doc = existsSync(DOC_PATH) ? readFileSync(DOC_PATH, 'utf8') : '';
  const results = readEmbeddedResults(doc, (err) => console.warn(`warning: ${err.message}`));
  if (existsSync(RESULTS_DIR)) {
    for (const name of readdirSync(RESULTS_DIR)
      .filter((n) => n.endsWith('.json'))
      .sort()) {
      let r: BenchResult;
      try {
        r = readResultFile(join(RESULTS_DIR, name));
      } catch (err) {
        console.warn(`warning: skipped ${name}: ${(err as Error).message}`);
        continue;
      }
      const had = results.get(r.id);
      if (!had || Date.parse(r.measuredAt) >= Date.parse(had.measuredAt)) results.set(r.id, r);
    }
  }
  const runs = runsToShow([...(run ? [run] : []), ...readEmbeddedRuns(doc)], results);
  const text = renderBenchmarksDoc({ runs, benchmarks: BENCHMARKS, results, notes: readNotes() });
  writeFileSync(DOC_PATH, text);
}
