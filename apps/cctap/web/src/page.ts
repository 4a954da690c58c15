/**
 * The web page of `cctap up`: figures and charts from the store, live sessions from the running pipeline,
 * refreshed on a timer. Every number is computed by the server (aggregated per day, model or project);
 * the page only lays it out.
 */
import { StackedChart, type ChartsData, type Metric } from './charts.js';
import { byId, el, getJson, row } from './dom.js';
import { projectName, time, tokens, usd } from './format.js';
import { closeTimeline, showTimeline } from './timeline.js';

interface Figure {
  costUsd: number | null;
  tokens: number;
  unpricedModels: string[];
}
interface Overview {
  tz: string;
  today: string;
  month: string;
  todayFigure: Figure;
  monthFigure: Figure;
}
interface LiveSession {
  host: string;
  sessionId: string;
  project: string;
  lastTs: string;
  state: string;
  doing: string;
  toolCalls: number;
  toolErrors: number;
}
interface RecentSession {
  host: string;
  sessionId: string;
  project: string;
  startedAt: string;
  lastActivity: string;
  prompts: number;
  toolCalls: number;
}
interface AlertRow {
  rule: string;
  severity: string;
  status: string;
  startsAt: string;
  summary: string;
}
interface Optional {
  available: boolean;
  reason?: string;
  rows?: Record<string, unknown>[];
}

const modelChart = new StackedChart(byId<HTMLCanvasElement>('chart-model'));
const projectChart = new StackedChart(byId<HTMLCanvasElement>('chart-project'));
let chartData: ChartsData | null = null;

function showFigure(prefix: 'today' | 'month', f: Figure): void {
  const cost = byId(`${prefix}-cost`);
  cost.textContent = usd(f.costUsd);
  cost.dataset.usd = f.costUsd === null ? '' : String(f.costUsd);
  const unpriced = f.unpricedModels.length ? ` · no price for ${f.unpricedModels.join(', ')}` : '';
  byId(`${prefix}-tokens`).textContent = `${tokens(f.tokens)}${unpriced}`;
}

async function refreshOverview(): Promise<void> {
  const o = await getJson<Overview>('/api/overview');
  showFigure('today', o.todayFigure);
  showFigure('month', o.monthFigure);
  byId('month-title').textContent = `This month (${o.month})`;
}

function drawCharts(): void {
  if (!chartData) return;
  const metric = byId<HTMLSelectElement>('metric').value as Metric;
  modelChart.show(chartData.days, chartData.byModel, metric);
  projectChart.show(chartData.days, chartData.byProject, metric);
}

async function refreshCharts(): Promise<void> {
  chartData = await getJson<ChartsData>(`/api/charts?days=${byId<HTMLSelectElement>('range').value}`);
  drawCharts();
}

function sessionRow(cells: (string | HTMLElement)[], s: { host: string; sessionId: string; project: string }) {
  const tr = row(cells);
  tr.className = 'clickable';
  tr.dataset.session = s.sessionId;
  tr.dataset.host = s.host;
  tr.addEventListener('click', () => {
    for (const r of document.querySelectorAll('tr.selected')) r.classList.remove('selected');
    tr.classList.add('selected');
    showTimeline(s.host, s.sessionId, s.project).catch(fail);
  });
  return tr;
}

async function refreshLive(): Promise<void> {
  const live = await getJson<{ tracked: boolean; sessions: LiveSession[] }>('/api/live');
  const rows = live.sessions.map((s) =>
    sessionRow(
      [
        projectName(s.project),
        s.sessionId.slice(0, 8),
        el('span', s.state, `state-${s.state}`),
        s.doing,
        time(s.lastTs),
        `${s.toolCalls}${s.toolErrors ? ` (${s.toolErrors} failed)` : ''}`,
      ],
      s,
    ),
  );
  byId('live')
    .querySelector('tbody')!
    .replaceChildren(...rows);
  byId('live-empty').hidden = rows.length > 0;
}

async function refreshRecent(): Promise<void> {
  const sessions = await getJson<RecentSession[]>('/api/sessions?hours=24');
  byId('recent')
    .querySelector('tbody')!
    .replaceChildren(
      ...sessions.map((s) =>
        sessionRow(
          [
            projectName(s.project),
            s.sessionId.slice(0, 8),
            s.host,
            time(s.startedAt),
            time(s.lastActivity),
            String(s.prompts),
            String(s.toolCalls),
          ],
          s,
        ),
      ),
    );
}

async function refreshAlerts(): Promise<void> {
  const alerts = await getJson<AlertRow[]>('/api/alerts?days=30');
  byId('alerts')
    .querySelector('tbody')!
    .replaceChildren(
      ...alerts.map((a) =>
        row([time(a.startsAt), el('span', a.severity, `sev-${a.severity}`), a.rule, a.status, a.summary]),
      ),
    );
  byId('alerts-empty').hidden = alerts.length > 0;
}

/** Activity and budgets: shown as tables when this `up` serves them, else said to be not available. */
async function refreshOptional(name: 'activity' | 'budgets'): Promise<void> {
  const box = byId(name);
  const d = await getJson<Optional>(`/api/${name}`);
  if (!d.available) {
    box.className = 'muted';
    box.textContent = `not available${d.reason ? `: ${d.reason}` : ''}`;
    return;
  }
  const rows = d.rows ?? [];
  if (rows.length === 0) {
    box.className = 'muted';
    box.textContent = 'nothing yet';
    return;
  }
  const keys = Object.keys(rows[0]!);
  const table = el('table');
  const head = el('tr');
  for (const k of keys) head.append(el('th', k));
  table.append(el('thead'), el('tbody'));
  table.tHead!.append(head);
  for (const r of rows) table.tBodies[0]!.append(row(keys.map((k) => String(r[k] ?? ''))));
  box.className = '';
  box.replaceChildren(table);
}

function fail(err: unknown): void {
  const e = byId('error');
  e.hidden = false;
  e.textContent = err instanceof Error ? err.message : String(err);
}

function every(ms: number, f: () => Promise<void>): void {
  const run = () =>
    f().then(() => {
      byId('error').hidden = true;
      byId('updated').textContent = `updated ${new Date().toLocaleTimeString('en-GB', { hour12: false })}`;
    }, fail);
  run();
  setInterval(run, ms);
}

byId('range').addEventListener('change', () => refreshCharts().catch(fail));
byId('metric').addEventListener('change', drawCharts);
byId('timeline-close').addEventListener('click', closeTimeline);

// The embedded store answers one question at a time: the figures and charts at the top are asked first.
every(5_000, refreshOverview);
every(60_000, refreshCharts);
every(2_000, refreshLive);
every(15_000, refreshRecent);
every(15_000, refreshAlerts);
every(60_000, () => refreshOptional('activity'));
every(60_000, () => refreshOptional('budgets'));
