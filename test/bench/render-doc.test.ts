import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  InvalidBenchResultError,
  metric,
  parseBenchResult,
  RESULT_SCHEMA,
  type BenchResult,
} from '../../bench/support/bench-result.js';
import {
  readEmbeddedResults,
  readEmbeddedRuns,
  renderBenchmarksDoc,
  runsToShow,
  type DocInput,
  type RunInfo,
} from '../../bench/support/render-doc.js';

const dir = mkdtempSync(join(tmpdir(), 'cctap-bench-render-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const RUN_ID = '2026-11-21T10:00:00.000Z';

function result(
  id: string,
  title: string,
  metrics: BenchResult['metrics'],
  extra: Partial<BenchResult> = {},
): BenchResult {
  return {
    schema: RESULT_SCHEMA,
    id,
    title,
    command: `npm run bench:${id} -- --size 20MB`,
    measuredAt: '2026-11-21T10:05:00.000Z',
    durationSeconds: 90,
    machine: '2 × Test CPU (nproc 2), 24 GiB RAM, Node v20.20.2',
    load: { start: [1.5, 1, 1], end: [2.25, 1, 1] },
    profile: 'full',
    runId: RUN_ID,
    metrics,
    checks: [],
    details: `details of ${id}`,
    ...extra,
  };
}

/** Writes result files as a benchmark would, then reads them back the way the harness does. */
function viaFiles(results: BenchResult[]): Map<string, BenchResult> {
  for (const r of results) writeFileSync(join(dir, `${r.id}.json`), JSON.stringify(r, null, 2));
  const out = new Map<string, BenchResult>();
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.json'))) {
    const r = parseBenchResult(JSON.parse(readFileSync(join(dir, name), 'utf8')), name);
    out.set(r.id, r);
  }
  return out;
}

const run: RunInfo = {
  runId: RUN_ID,
  machine: {
    cpus: 2,
    nproc: 2,
    cpuModel: 'Test CPU',
    memoryGiB: 24,
    node: 'v20.20.2',
    date: '2026-11-21',
    os: 'Debian GNU/Linux 12, Linux 6.1',
  },
  command: 'npm run bench',
  startedAt: RUN_ID,
  finishedAt: '2026-11-21T10:20:00.000Z',
  profile: 'full',
  failures: [{ id: 'broken', reason: 'exit 1: boom' }],
};

const benchmarks = [
  { id: 'normalize', title: 'Normalizer' },
  { id: 'sink', title: 'Sink and reports' },
  { id: 'broken', title: 'Broken one' },
];

function input(results: Map<string, BenchResult>): DocInput {
  return {
    runs: [run],
    benchmarks,
    results,
    notes: {
      method: 'How numbers are taken.',
      corpus: 'The corpus.',
      perBenchmark: new Map([['sink', 'Intro of sink.\n<!-- results -->\nNotes kept: fs.watch vs chokidar.']]),
    },
  };
}

const summaryRows = (doc: string): string[] => {
  const table = doc.slice(doc.indexOf('## Summary'), doc.indexOf('## The corpus generator'));
  return table.split('\n').filter((l) => l.startsWith('| ['));
};

describe('renderBenchmarksDoc', () => {
  const normalize = result('normalize', 'Normalizer', [
    metric({ id: 'ceiling', title: 'Ceiling', metric: 'MB per CPU-s', unit: 'MB/CPU-s', samples: [340, 350, 345] }),
    // stored verdict deliberately wrong: the renderer must compute it from goal and median
    {
      ...metric({
        id: 'ratio',
        title: 'Redacted ÷ ceiling',
        metric: 'per run',
        unit: '%',
        samples: [57, 49, 55],
        digits: 0,
        goal: { op: '>=', value: 50 },
      }),
      met: false,
    },
    metric({
      id: 'full',
      title: 'Privacy full',
      metric: 'MB per CPU-s',
      unit: 'MB/CPU-s',
      samples: [200],
      summary: false,
    }),
  ]);
  const sink = result(
    'sink',
    'Sink and reports',
    [
      {
        ...metric({
          id: 'report',
          title: 'Report daily',
          metric: 'one query',
          unit: 's',
          samples: [0.41, 0.35, 0.5],
          digits: 3,
          goal: { op: '<=', value: 0.3 },
        }),
        met: true,
      },
      metric({
        id: 'nothing',
        title: 'Measured nothing',
        metric: 'one run',
        unit: 's',
        samples: [NaN],
        goal: { op: '<=', value: 1 },
      }),
    ],
    {
      command: 'npm run bench:sink -- --size 1GB --no-doc',
      checks: [{ name: 'report equals expected.json', ok: true, detail: '12 rows' }],
    },
  );

  it('has one summary row per summary metric, with met / not met computed from the goal and the median', () => {
    const doc = renderBenchmarksDoc(input(viaFiles([normalize, sink])));
    const rows = summaryRows(doc);
    expect(rows.find((r) => r.includes('| Ceiling |'))).toContain('| 345.0 MB/CPU-s | 340.0–350.0 | — | — | — |');
    expect(rows.find((r) => r.includes('Redacted ÷ ceiling'))).toMatch(
      /\| 55% \| 49–57 \| ≥ 50% \| 1\.10× \| \*\*met\*\* \|/,
    );
    expect(rows.find((r) => r.includes('Report daily'))).toMatch(
      /\| 0\.410 s \| 0\.350–0\.500 \| ≤ 0.300 s \| 0\.73× \| \*\*not met\*\* \|/,
    );
    // nothing measured never meets a goal
    expect(rows.find((r) => r.includes('Measured nothing'))).toContain('**not met**');
    expect(rows.some((r) => r.includes('Privacy full'))).toBe(false);
    expect(rows.find((r) => r.includes('[Broken one]'))).toContain('not measured');
    expect(rows.every((r) => r.includes('1.50 → 2.25') || r.includes('not measured'))).toBe(true);
  });

  it('flips the verdict when only the goal changes', () => {
    const easier = {
      ...sink,
      metrics: sink.metrics.map((m) => (m.id === 'report' ? { ...m, goal: { op: '<=' as const, value: 0.5 } } : m)),
    };
    const rows = summaryRows(renderBenchmarksDoc(input(viaFiles([normalize, easier]))));
    expect(rows.find((r) => r.includes('Report daily'))).toContain('**met**');
  });

  it('writes the run header, sections with notes, checks and the failures of the run', () => {
    const doc = renderBenchmarksDoc(input(viaFiles([normalize, sink])));
    expect(doc).toContain('- **Run**: 2026-11-21 10:00 UTC, 20 min: `npm run bench` (full sizes)');
    expect(doc).toContain(
      '  - Machine: nproc 2 (2 × Test CPU), 24 GiB RAM, Debian GNU/Linux 12, Linux 6.1, Node v20.20.2',
    );
    expect(doc).toContain('  - Failed: `broken`: exit 1: boom');
    const sinkSection = doc.slice(doc.indexOf('## Sink and reports'), doc.indexOf('## Broken one'));
    expect(sinkSection.indexOf('Intro of sink.')).toBeLessThan(sinkSection.indexOf('| Measure |'));
    expect(sinkSection.indexOf('| Measure |')).toBeLessThan(sinkSection.indexOf('Notes kept: fs.watch vs chokidar.'));
    expect(sinkSection).toContain('- Check: report equals expected.json: **yes** (12 rows)');
    expect(sinkSection).toContain('Command: `npm run bench:sink -- --size 1GB --no-doc`');
    expect(doc).toContain('Not measured: the last run failed (exit 1: boom).');
  });

  it('carries its results, so re-rendering with one new result keeps every other section as measured', () => {
    const first = renderBenchmarksDoc(input(viaFiles([normalize, sink])));
    const carried = readEmbeddedResults(first);
    expect([...carried.keys()].sort()).toEqual(['normalize', 'sink']);
    expect(carried.get('sink')?.command).toBe('npm run bench:sink -- --size 1GB --no-doc'); // `--` survives the HTML comment
    expect(carried.get('sink')?.metrics[1]?.median).toBeNaN();

    const later: RunInfo = {
      ...run,
      runId: 'later',
      startedAt: '2026-11-22T08:00:00.000Z',
      finishedAt: '2026-11-22T08:02:00.000Z',
      command: 'npm run bench -- --only normalize',
      failures: [],
    };
    const newer = {
      ...normalize,
      runId: 'later',
      measuredAt: '2026-11-22T08:01:00.000Z',
      metrics: normalize.metrics.map((m) =>
        m.id === 'ratio' ? metric({ ...m, samples: [40, 41, 42], goal: m.goal }) : m,
      ),
    };
    const second = renderBenchmarksDoc({ ...input(new Map([...carried, ['normalize', newer]])), runs: [later, run] });
    const rows = summaryRows(second);
    expect(rows.find((r) => r.includes('Redacted ÷ ceiling'))).toContain('**not met**');
    expect(rows.find((r) => r.includes('Redacted ÷ ceiling'))).toMatch(/\| full sizes \|$/);
    expect(rows.find((r) => r.includes('Report daily'))).toContain('full sizes, run of 2026-11-21 10:00 UTC');
    expect(second).toContain('- **Earlier run**: 2026-11-21 10:00 UTC, 20 min: `npm run bench` (full sizes)');
    // the failure of the earlier run still explains the benchmark that has no result since
    expect(second).toContain('Not measured: the last run failed (exit 1: boom).');
    expect(readEmbeddedRuns(second).map((r) => r.runId)).toEqual(['later', RUN_ID]);
    // an earlier run is described only while a result of it is shown
    expect(runsToShow([run, later], new Map([['normalize', newer]])).map((r) => r.runId)).toEqual(['later']);
    expect(
      runsToShow(
        [run, later],
        new Map([
          ['normalize', newer],
          ['sink', sink],
        ]),
      ).map((r) => r.runId),
    ).toEqual(['later', RUN_ID]);
    const table = (doc: string) =>
      doc.slice(doc.indexOf('## Sink and reports'), doc.indexOf('## Broken one')).replace(/\(full sizes[^)]*\)/, '');
    expect(table(second)).toEqual(table(first));
  });
});

describe('parseBenchResult', () => {
  it('rejects a result file it cannot render, naming the file and the field', () => {
    const bad = { ...result('x', 'X', [metric({ id: 'm', title: 'M', metric: 'one run', unit: 's', samples: [1] })]) };
    expect(() => parseBenchResult({ ...bad, schema: 2 }, 'x.json')).toThrow(InvalidBenchResultError);
    expect(() =>
      parseBenchResult({ ...bad, metrics: [{ ...bad.metrics[0], goal: { op: '>', value: 1 } }] }, 'x.json'),
    ).toThrow(/x\.json: metrics\[0\]\.goal/);
    expect(() => parseBenchResult({ ...bad, metrics: [{ ...bad.metrics[0], samples: ['1'] }] }, 'x.json')).toThrow(
      /samples must be numbers/,
    );
  });
});
