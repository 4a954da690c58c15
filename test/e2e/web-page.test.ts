/**
 * The web page of `cctap up`, in a real browser (Debian's Chromium driven by playwright-core), against the
 * built command on the embedded store. One `up` serves every check:
 *   - its address with the token is in the banner and in up.json; without the token the page and its data
 *     endpoints answer 401;
 *   - today's cost shown equals `cctap report daily --json`'s; the chart by model is drawn (pixels on its canvas);
 *   - the activity and budgets sections show the reports' rows (a budget of the rules file `up` runs with);
 *   - a session whose transcript appears while the page is open shows up among the live sessions, and a click
 *     on it shows its timeline with the tool call and its duration.
 */
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireTool } from '../support/tools.js';
import { cli, exitWithin, startUp, waitUntil, type Up } from './support/run-cctap.js';

let dir: string;
let root: string;
let data: string;
let project: string;
let up: Up;
let browser: Browser;
const env = () => ({ HOME: dir });

/** Transcript lines of one session: a prompt, a Bash call answered `toolSeconds` later, a final answer. */
function sessionLines(sessionId: string, t0: number, n: number, toolSeconds: number): string {
  const line = (i: number, at: number, rest: Record<string, unknown>) => ({
    uuid: `cccccccc-${String(i).padStart(4, '0')}-4000-8000-${String(n).padStart(12, '0')}`,
    parentUuid: i === 0 ? null : `cccccccc-${String(i - 1).padStart(4, '0')}-4000-8000-${String(n).padStart(12, '0')}`,
    isSidechain: false,
    sessionId,
    timestamp: new Date(at).toISOString(),
    cwd: '/home/dev/webapp',
    version: '2.1.300',
    ...rest,
  });
  const usage = {
    input_tokens: 1200,
    output_tokens: 300,
    cache_creation_input_tokens: 5000,
    cache_read_input_tokens: 20000,
  };
  const assistant = (i: number, at: number, content: unknown[], stop: string) =>
    line(i, at, {
      type: 'assistant',
      requestId: `req_${n}_${i}`,
      message: {
        id: `msg_${n}_${i}`,
        type: 'message',
        role: 'assistant',
        model: 'claude-opus-4-5',
        stop_reason: stop,
        content,
        usage,
      },
    });
  const toolId = `toolu_web_${n}`;
  return (
    [
      line(0, t0, { type: 'user', message: { role: 'user', content: 'run the tests' } }),
      assistant(
        1,
        t0 + 1000,
        [{ type: 'tool_use', id: toolId, name: 'Bash', input: { command: 'npm test' } }],
        'tool_use',
      ),
      line(2, t0 + 1000 + toolSeconds * 1000, {
        type: 'user',
        message: {
          role: 'user',
          content: [{ type: 'tool_result', tool_use_id: toolId, content: 'ok', is_error: false }],
        },
      }),
      assistant(3, t0 + 2000 + toolSeconds * 1000, [{ type: 'text', text: 'All tests pass.' }], 'end_turn'),
    ]
      .map((l) => JSON.stringify(l))
      .join('\n') + '\n'
  );
}

beforeAll(async () => {
  const { path: chromiumPath } = requireTool('chromium', 'apt-get install -y chromium (the web page test drives it)');
  dir = mkdtempSync(join(tmpdir(), 'cctap-e2e-web-'));
  root = join(dir, 'claude');
  data = join(dir, 'data');
  project = join(root, 'projects', '-home-dev-webapp');
  mkdirSync(project, { recursive: true });
  // History of today: a few minutes ago, so today's and this month's cost are not zero.
  writeFileSync(
    join(project, 'dddddddd-0000-4000-8000-000000000001.jsonl'),
    // (a few minutes into the day right after midnight: it must be today's)
    sessionLines(
      'dddddddd-0000-4000-8000-000000000001',
      Math.max(Date.now() - 10 * 60_000, new Date().setHours(0, 0, 0, 0) + 1000),
      1,
      2,
    ),
  );
  const rules = join(dir, 'rules.yaml');
  writeFileSync(rules, 'budgets:\n  - { name: web-daily, amount: 100, scope: everyone, period: daily }\n');
  up = startUp(
    [
      '--root',
      root,
      '--data',
      data,
      '--rules',
      rules,
      '--guard-decisions',
      join(dir, 'guard-decisions.jsonl'),
      '--metrics-port',
      '0',
      '--status-seconds',
      '0',
      '--log-format',
      'json',
    ],
    env(),
  );
  browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox'] });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  if (up && up.child.exitCode === null) {
    up.child.kill('SIGTERM');
    await exitWithin(up, 30_000, 'cctap up').catch(() => undefined);
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the web page of cctap up', () => {
  it("shows the store's cost, charts, live sessions and a session's timeline, behind the token", async () => {
    const url = await waitUntil(
      'up.json with the page address',
      () => {
        try {
          return (JSON.parse(readFileSync(join(data, 'up.json'), 'utf8')) as { url?: string | null }).url ?? undefined;
        } catch {
          return undefined;
        }
      },
      30_000,
      () => up.stderr().slice(-2000),
    );
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{48}$/);
    await waitUntil(
      'the backfill',
      () => up.stderr().includes('backfill done') || undefined,
      30_000,
      () => up.stderr().slice(-2000),
    );
    expect(up.stderr()).toContain(`"page":"${url}"`);
    // What the store says, asked while the browser works (a second process takes a few seconds to start).
    const reportRun = cli(['report', 'daily', '--json', '--data', data], env());

    // Without the token: nothing but the page that says where to find it.
    const base = url.replace(/\/\?token=.*$/, '');
    const token = url.replace(/^.*token=/, '');
    for (const path of ['/api/overview', '/api/live', '/api/charts', '/api/session?host=h&id=s', '/api/alerts'])
      expect((await fetch(`${base}${path}`)).status, path).toBe(401);
    expect((await fetch(`${base}/`)).status).toBe(401);
    expect((await fetch(`${base}/?token=${'0'.repeat(48)}`)).status).toBe(401);
    expect((await fetch(`${base}/api/overview`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);

    const page = await browser.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(url);
    expect(page.url()).toBe(`${base}/`); // the token went into a cookie, out of the address bar

    // Today's cost: what the page shows is what `cctap report daily` computes from the store.
    const report = await reportRun;
    expect(report.code, report.stderr).toBe(0);
    const daily = (JSON.parse(report.stdout) as { daily: { date: string; totalCost: number }[] }).daily;
    const localDay = new Date().toLocaleDateString('en-CA'); // YYYY-MM-DD in this machine's zone, as the report's
    const today = daily.find((d) => d.date === localDay)!;
    expect(today, report.stdout).toBeDefined();
    expect(today.totalCost).toBeGreaterThan(0);
    await page.waitForSelector('#today-cost[data-usd]', { timeout: 15_000 });
    expect(await page.textContent('#today-cost')).toBe(`$${today.totalCost.toFixed(2)}`);
    expect(Number(await page.getAttribute('#today-cost', 'data-usd'))).toBeCloseTo(today.totalCost, 9);

    // The chart by model is drawn: its canvas has painted pixels.
    const painted = `(() => {
      const c = document.getElementById('chart-model');
      const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 3; i < px.length; i += 4) if (px[i] > 0) n++;
      return n;
    })()`;
    // Polled from here: the page's CSP forbids the string evaluation waitForFunction would do inside it.
    await waitUntil(
      'the chart by model painted',
      async () => ((await page.evaluate(painted)) as number) > 500 || undefined,
      15_000,
    );

    // A session that starts now appears among the live sessions, with what it does.
    const live = 'eeeeeeee-0000-4000-8000-000000000002';
    // What `cctap guard` wrote for that session: a call it denied, published by up's collector as a guard event.
    appendFileSync(
      join(dir, 'guard-decisions.jsonl'),
      `${JSON.stringify({
        v: 1,
        ts: new Date(Date.now() - 5000).toISOString(),
        decision: 'deny',
        rule: 'dangerous-command',
        findings: ['rm-rf-broad'],
        match: 'rm -rf /',
        reason: 'cctap guard: rm -rf / deletes everything',
        tool: 'Bash',
        toolUseId: 'toolu_web_denied',
        sessionId: live,
        cwd: '/home/dev/webapp',
        transcriptPath: join(project, `${live}.jsonl`),
        permissionMode: 'default',
        error: null,
        failClosed: false,
      })}\n`,
    );
    appendFileSync(join(project, `${live}.jsonl`), sessionLines(live, Date.now() - 6000, 2, 3));
    const row = `#live tr[data-session="${live}"]`;
    await page.waitForSelector(row, { timeout: 30_000 });
    expect(await page.textContent(row)).toContain('webapp');

    // Its timeline, on a click: the prompt, the Bash call and how long it took (3 s between call and result).
    await page.click(row);
    const tool = '#timeline li[data-kind="tool"]';
    await page.waitForSelector(tool, { timeout: 15_000 });
    expect(await page.textContent(`${tool} .text`)).toBe('Bash: npm test');
    expect(await page.textContent(`${tool} .duration`)).toBe('3.0 s');
    expect(await page.textContent('#timeline li[data-kind="prompt"] .text')).toBe('run the tests');
    // The guard's denial in the same timeline (the decisions file is tailed apart from the transcript: the
    // timeline is asked again until it has arrived).
    const guard = '#timeline li[data-kind="guard"]';
    await waitUntil(
      'the guard decision in the timeline',
      async () => {
        if (await page.$(guard)) return true;
        await page.click(row);
        await page.waitForSelector(tool, { timeout: 15_000 });
        return undefined;
      },
      30_000,
    );
    expect(await page.textContent(`${guard} .text`)).toBe('guard deny: Bash (dangerous-command) rm -rf /');

    // Activity and budgets, from their reports.
    await page.waitForSelector('#activity table', { timeout: 15_000 });
    expect(await page.textContent('#activity tbody tr')).toContain(today.date);
    await page.waitForSelector('#budgets table', { timeout: 15_000 });
    expect(await page.textContent('#budgets tbody tr')).toContain('web-daily');
    expect(await page.textContent('#budgets tbody td:nth-child(5)')).toBe('$100'); // the amount

    expect(pageErrors).toEqual([]);
    await page.close();
  }, 120_000);
});
