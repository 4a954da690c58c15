/**
 * Every benchmark `npm run bench` runs, in this order (also the order of docs/benchmarks.md). Each one is
 * its own script (also runnable alone with its `npm run bench:*`), started in its own process with the
 * arguments below: `full` are the sizes the issues ask for, `quick` small sizes that check the harness in a
 * few minutes (their numbers are labelled and not for comparing).
 */
export interface BenchmarkSpec {
  id: string;
  title: string;
  /** Under bench/dist/. */
  script: string;
  nodeArgs?: string[];
  full: string[];
  quick: string[];
  /** Extra environment for the quick profile (shorter fixed windows). */
  quickEnv?: Record<string, string>;
  /** Killed after this long (the run goes on with the next one). */
  timeoutMinutes: number;
}

export const BENCHMARKS: readonly BenchmarkSpec[] = [
  {
    id: 'normalize',
    title: 'Normalizer',
    script: 'normalize.js',
    full: ['--size', '200MB', '--runs', '5'],
    quick: ['--size', '20MB', '--runs', '3'],
    timeoutMinutes: 20,
  },
  {
    id: 'collector-backfill',
    title: 'Collector: backfill',
    script: 'collector-bench.js',
    nodeArgs: ['--expose-gc'],
    full: ['backfill', '--size', '1GB', '3'],
    quick: ['backfill', '--size', '20MB', '1'],
    timeoutMinutes: 20,
  },
  {
    id: 'collector-idle',
    title: 'Collector: idle',
    script: 'collector-bench.js',
    nodeArgs: ['--expose-gc'],
    full: ['idle', '3'],
    quick: ['idle', '1'],
    quickEnv: { BENCH_IDLE_SECONDS: '5' },
    timeoutMinutes: 10,
  },
  {
    id: 'collector-latency',
    title: 'Collector: append to stored',
    script: 'collector-bench.js',
    nodeArgs: ['--expose-gc'],
    full: ['latency', '3'],
    quick: ['latency', '1'],
    quickEnv: { BENCH_LATENCY_SECONDS: '5' },
    timeoutMinutes: 10,
  },
  {
    id: 'validator',
    title: 'Validator',
    script: 'validator.js',
    full: ['--batches', '400', '--runs', '5'],
    quick: ['--batches', '100', '--runs', '2'],
    timeoutMinutes: 10,
  },
  {
    id: 'analyzer',
    title: 'Analyzer',
    script: 'analyzer.js',
    full: ['--sessions', '200', '--runs', '5'],
    quick: ['--sessions', '20', '--runs', '2'],
    timeoutMinutes: 10,
  },
  {
    id: 'alerter',
    title: 'Alerter',
    script: 'alerter.js',
    full: ['--runs', '5', '--n', '200', '--filler', '200'],
    quick: ['--runs', '2', '--n', '50', '--filler', '50'],
    timeoutMinutes: 10,
  },
  {
    id: 'sink',
    title: 'Sink and reports',
    script: 'sink.js',
    full: ['--size', '1GB', '--seed', '1', '--runs', '7'],
    quick: ['--size', '20MB', '--seed', '1', '--runs', '3'],
    timeoutMinutes: 30,
  },
  {
    // reports from a store `cctap up --once` filled from the same corpus (kept under bench/out/, filled once:
    // about 2 minutes at 1 GB)
    id: 'ccusage',
    title: 'Reports against ccusage',
    script: 'report-vs-ccusage.js',
    full: ['--size', '1GB', '--seed', '1', '--runs', '5'],
    quick: ['--size', '20MB', '--seed', '1', '--runs', '3'],
    timeoutMinutes: 20,
  },
  {
    id: 'statusline',
    title: 'Status line',
    script: 'statusline.js',
    full: ['--size', '20MB', '--calls', '40'],
    quick: ['--size', '2MB', '--calls', '10'],
    timeoutMinutes: 15,
  },
  {
    id: 'guard',
    title: 'Guard',
    script: 'guard.js',
    full: ['--calls', '40'],
    quick: ['--calls', '6'],
    timeoutMinutes: 10,
  },
  {
    id: 'web-page',
    title: 'Web page',
    script: 'web-page.js',
    full: ['--size', '200MB', '--runs', '10'],
    quick: ['--size', '5MB', '--runs', '3'],
    timeoutMinutes: 30,
  },
  {
    id: 'e2e-single',
    title: 'End to end, single process',
    script: 'e2e-single.js',
    // the script's defaults, and how a first start grows to 1 GB (a run at 4 GB, ~10 min, is one more
    // `--scale` size by hand); 48 MB was used while the backfill ran at 0.6 MB/s (30 min per run at 1 GB)
    full: ['--size', '256MB', '--runs', '3', '--scale', '100MB,1GB', '--appends', '60'],
    quick: ['--size', '2MB', '--runs', '1', '--appends', '10'],
    timeoutMinutes: 30,
  },
  {
    id: 'e2e-multi',
    title: 'End to end, multi-process',
    script: 'e2e-multi.js',
    // 200 MB rather than the script's 50 MB default: the size the first published run used, long enough
    // (~30 s a run) that process start-up does not dominate the backfill rate
    full: ['--size', '200MB', '--seed', '1', '--runs', '5', '--latency-runs', '3', '--lines', '300', '--rate', '30'],
    quick: ['--size', '2MB', '--seed', '1', '--runs', '1', '--latency-runs', '1', '--lines', '60', '--rate', '30'],
    timeoutMinutes: 30,
  },
];
