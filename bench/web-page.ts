/**
 * The web page of `cctap up` on a year of history: a generated corpus spread over the last 365 days in one
 * `cctap up` (in-process bus, embedded store). Measured once its backfill is in the store:
 *   - each data endpoint the page calls, one GET with the token at a time (the server's whole answer);
 *   - the page in Chromium (playwright-core, the system `chromium`): a new browser context each run, from
 *     navigation to the figures shown and both charts painted, at the default range (30 days) and after
 *     switching to a year.
 *
 *   npm run bench:web -- [--size 200MB] [--runs 10] [--no-doc]
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { generateCorpus, parseSize } from './corpus/index.js';
import { metric } from './support/bench-result.js';
import { startBackfilledUp } from './support/backfilled-up.js';
import { npmCommand, publishResult } from './support/publish-result.js';

const OUT = fileURLToPath(new URL('../out/', import.meta.url));
const CHROMIUM = '/usr/bin/chromium';

const { values } = parseArgs({
  options: {
    size: { type: 'string', default: '200MB' },
    runs: { type: 'string', default: '10' },
    'no-doc': { type: 'boolean' },
  },
});
const size = parseSize(values.size);
const runs = Number(values.runs);
if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: apt-get install -y chromium`);

// A year ending yesterday, so every figure of the page (today, this month, the charts) has history under it.
const start = new Date(Date.now() - 366 * 86_400_000).toISOString().slice(0, 10);
const corpusDir = join(OUT, `corpus-web-${size}-${start}`);
if (!existsSync(join(corpusDir, 'expected.json')))
  generateCorpus({ out: corpusDir, size, seed: 1, days: 365, startDate: start, force: true });

const dir = mkdtempSync(join(tmpdir(), 'bench-web-'));
const data = join(dir, 'data');
const up = startBackfilledUp([corpusDir], data, dir);

const ENDPOINTS = [
  ['overview', '/api/overview'],
  ['charts-30', '/api/charts?days=30'],
  ['charts-365', '/api/charts?days=365'],
  ['sessions', '/api/sessions?hours=24'],
  ['alerts', '/api/alerts?days=30'],
  ['live', '/api/live'],
  ['activity', '/api/activity'],
] as const;
const endpointMs = new Map<string, number[]>(ENDPOINTS.map(([id]) => [id, []]));
const pageMs: number[] = [];
const yearMs: number[] = [];
let responses: number;

/** The page is ready: both figures and both charts drawn. */
const READY = `(() => {
  const painted = (id) => {
    const c = document.getElementById(id);
    const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    for (let i = 3; i < px.length; i += 16) if (px[i] > 0) return true;
    return false;
  };
  return document.getElementById('today-cost').dataset.usd !== undefined &&
    document.getElementById('month-cost').dataset.usd !== undefined &&
    painted('chart-model') && painted('chart-project');
})()`;

try {
  const { url, token } = await up.ready(1_800_000);
  const base = url.replace(/\/\?token=.*$/, '');
  const get = async (path: string) => {
    const t0 = performance.now();
    const r = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });
    const body = await r.text();
    if (r.status !== 200) throw new Error(`${path}: HTTP ${r.status} ${body}`);
    return { ms: performance.now() - t0, body };
  };
  const charts = JSON.parse((await get('/api/charts?days=365')).body) as { byModel: { tokens: number[] }[] };
  responses = charts.byModel.reduce((n, s) => n + s.tokens.filter((t) => t > 0).length, 0);
  for (const [, path] of ENDPOINTS) await get(path); // warm: the first query of each plans and loads
  for (let i = 0; i < runs; i++) for (const [id, path] of ENDPOINTS) endpointMs.get(id)!.push((await get(path)).ms);

  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  try {
    for (let i = 0; i <= runs; i++) {
      const context = await browser.newContext();
      const page = await context.newPage();
      const t0 = performance.now();
      await page.goto(url);
      // Polled from here: the page's CSP forbids the string evaluation waitForFunction would do inside it.
      while (!(await page.evaluate(READY))) {
        if (performance.now() - t0 > 120_000) throw new Error('the page did not show its figures and charts');
        await new Promise((r) => setTimeout(r, 10));
      }
      const loaded = performance.now() - t0;
      const t1 = performance.now();
      const drawn = page.waitForResponse((r) => r.url().includes('/api/charts?days=365'), { timeout: 120_000 });
      await page.selectOption('#range', '365');
      await drawn;
      // The page redraws both charts as soon as the data is parsed; the next frame has them on screen.
      await page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))');
      const year = performance.now() - t1;
      if (i > 0) {
        // the first run warms Chromium's own start-up (a cold profile); it is not the page's time
        pageMs.push(loaded);
        yearMs.push(year);
      }
      await context.close();
    }
  } finally {
    await browser.close();
  }
} finally {
  await up.stop();
  rmSync(dir, { recursive: true, force: true });
}

const details = [
  `Corpus: ${values.size} generated (seed 1) over the 365 days from ${start}, backfilled by one \`cctap up\` (in-process bus, embedded store); ${responses} (model, day) pairs with usage in the year chart.`,
  `Endpoints: ${runs} GETs of each with the bearer token, one at a time, after one warm-up each, timed from request to the last byte of the JSON.`,
  `Page: Chromium ${CHROMIUM} driven by playwright-core, a new browser context per run (no cache, no cookie), from \`goto\` of the address with the token (a redirect sets the cookie) until both figures are shown and both chart canvases have painted pixels; then the range switched to a year, until the new charts are drawn. ${runs} runs after one warm-up run.`,
].join('\n');

const endpointTitle: Record<string, string> = {
  overview: "today's and this month's cost and tokens",
  'charts-30': 'charts, 30 days by model and by project',
  'charts-365': 'charts, a year by model and by project',
  sessions: 'sessions of the last 24 hours',
  alerts: 'alerts of the last 30 days',
  live: 'live sessions (in memory)',
  activity: 'activity of the last two weeks, per day',
};

publishResult({
  id: 'web-page',
  command: npmCommand('bench:web'),
  metrics: [
    metric({
      id: 'page-load-ms',
      title: 'Web page: load to figures and charts shown (30 days)',
      metric: 'navigation → figures and both charts painted',
      unit: 'ms',
      samples: pageMs,
      digits: 0,
    }),
    metric({
      id: 'page-year-ms',
      title: 'Web page: switch the charts to a year',
      metric: 'select → both charts redrawn',
      unit: 'ms',
      samples: yearMs,
      digits: 0,
    }),
    ...ENDPOINTS.map(([id, path]) =>
      metric({
        id: `endpoint-${id}-ms`,
        title: `Web page data: ${endpointTitle[id]} (\`${path}\`)`,
        metric: 'one GET, request → last byte',
        unit: 'ms',
        samples: endpointMs.get(id)!,
        digits: 1,
        summary: id === 'charts-365' || id === 'overview',
      }),
    ),
  ],
  details,
  noDoc: values['no-doc'],
});
