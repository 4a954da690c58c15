/**
 * deploy/grafana/dashboards/*.json: well-formed for their schema version, every panel names a provisioned
 * datasource (directly or through a datasource variable of the dashboard) and has targets, and every ClickHouse
 * query (panels and template variables) runs against the schema the sink's migrations create, on the embedded
 * engine, with Grafana's macros expanded.
 *
 * At scale: every query's time range must reach the tables it scans. Each big table holds rows far outside
 * the dashboards' range, and ClickHouse's own plan (EXPLAIN ESTIMATE: rows of the parts it would read) must
 * leave them out: a filter on a view's grouped result, or none at all, reads them.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { priceResponse, shippedBook } from '@cctap/prices';
import { migrate, openStore, syncPrices, type Store } from '@cctap/store';
import { REPO_ROOT } from './support/repo.js';

interface Target {
  refId: string;
  datasource: { type: string; uid: string };
  rawSql?: string;
  expr?: string;
  queryType?: string;
}
interface Panel {
  id: number;
  type: string;
  title: string;
  datasource: { uid: string };
  targets: Target[];
  gridPos: { x: number; y: number; w: number; h: number };
}
interface Dashboard {
  uid: string;
  title: string;
  schemaVersion: number;
  panels: Panel[];
  templating: { list: { name: string; type: string; query: string; datasource?: { uid: string } }[] };
}

const dir = join(REPO_ROOT, 'deploy/grafana/dashboards');
const dashboards = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .map((f) => ({ file: f, d: JSON.parse(readFileSync(join(dir, f), 'utf8')) as Dashboard }));

const provisioned = (
  parse(readFileSync(join(REPO_ROOT, 'deploy/grafana/provisioning/datasources/cctap.yml'), 'utf8')) as {
    datasources: { uid: string; type: string }[];
  }
).datasources;
const CLICKHOUSE = provisioned.find((d) => d.type === 'grafana-clickhouse-datasource')!.uid;

/**
 * The provisioned datasource a panel's reference means: a uid, or `${name}` of a datasource variable of the
 * dashboard, which Grafana sets to the provisioned datasource of the variable's type.
 */
function datasourceOf(d: Dashboard, ref: { uid: string }): string | undefined {
  const v = /^\$\{(\w+)\}$/.exec(ref.uid);
  if (!v) return ref.uid;
  const variable = d.templating.list.find((x) => x.name === v[1] && x.type === 'datasource');
  return provisioned.find((p) => p.type === variable?.query)?.uid;
}

/** The dashboards' range in these checks: the last 2 days (Grafana's default view is shorter). */
const RANGE_DAYS = 2;
/** How far back the rows outside the range are: past every widening of the range views (range-views.ts). */
const OUTSIDE_DAYS = 20;
const OUTSIDE_ROWS = 1000;
/** The tables that grow with use: a dashboard query must not read them outside its range. */
const BIG_TABLES = ['usage', 'events', 'derived', 'alerts', 'invalid_events'];

/** What Grafana's ClickHouse plugin turns its macros, `${__from}`/`${__to}` and `${var:singlequote}` into. */
function expandMacros(sql: string): string {
  const to = Date.now();
  const from = to - RANGE_DAYS * 86_400_000;
  return sql
    .replace(
      /\$__timeFilter\(([^)]+)\)/g,
      (_, c: string) => `${c} >= now() - INTERVAL ${RANGE_DAYS} DAY AND ${c} <= now()`,
    )
    .replace(/\$__timeInterval\(([^)]+)\)/g, (_, c: string) => `toStartOfInterval(${c}, INTERVAL 3600 second)`)
    .replace(/\$__fromTime/g, `toDateTime(now() - INTERVAL ${RANGE_DAYS} DAY)`)
    .replace(/\$__toTime/g, 'toDateTime(now())')
    .replace(/\$\{__from\}/g, String(from))
    .replace(/\$\{__to\}/g, String(to))
    .replace(/\$\{[a-z_]+:singlequote\}/g, "'__all__'");
}

describe('Grafana dashboards', () => {
  it('there are dashboards for usage, activity and pipeline health', () => {
    expect(dashboards.map((x) => x.d.uid).sort()).toEqual(['cctap-activity', 'cctap-pipeline', 'cctap-usage']);
  });

  for (const { file, d } of dashboards) {
    it(`${file}: required fields, unique panel ids, panels with a provisioned datasource and targets`, () => {
      expect(typeof d.title).toBe('string');
      expect(d.schemaVersion).toBeGreaterThanOrEqual(36);
      expect(d.panels.length).toBeGreaterThan(0);
      expect(new Set(d.panels.map((p) => p.id)).size).toBe(d.panels.length);
      for (const p of d.panels) {
        expect(p.gridPos.x + p.gridPos.w, p.title).toBeLessThanOrEqual(24);
        expect(
          provisioned.map((x) => x.uid),
          p.title,
        ).toContain(datasourceOf(d, p.datasource));
        expect(p.targets.length, p.title).toBeGreaterThan(0);
        for (const t of p.targets) {
          expect(provisioned.map((x) => x.uid)).toContain(datasourceOf(d, t.datasource));
          expect(t.rawSql ?? t.expr, `${p.title} ${t.refId}`).toBeTruthy();
        }
      }
    });
  }
});

describe("the dashboards' ClickHouse queries on the migrated schema", () => {
  let store: Store;
  let data: string;
  let ts: string;

  beforeAll(async () => {
    data = mkdtempSync(join(tmpdir(), 'cctap-dash-'));
    store = await openStore({ dataDir: data });
    await migrate(store);
    ts = new Date(Date.now() - 3600_000).toISOString();
    // One priced response seen twice (the max rule keeps the larger line) and one unpriced response.
    await store.insert('usage', [
      {
        message_id: 'm1',
        request_id: 'r1',
        scope: '',
        ts,
        event_id: '00000000-0000-4000-8000-000000000001',
        host: 'h1',
        user: 'ana',
        session_id: 's1',
        project: '/repo/a',
        model: 'claude-sonnet-4-5',
        input_tokens: 10,
        output_tokens: 5,
        total_tokens: 15,
        cost_usd: 0.5,
      },
      {
        message_id: 'm1',
        request_id: 'r1',
        scope: '',
        ts,
        event_id: '00000000-0000-4000-8000-000000000002',
        host: 'h1',
        user: 'ana',
        session_id: 's1',
        project: '/repo/a',
        model: 'claude-sonnet-4-5',
        input_tokens: 10,
        output_tokens: 50,
        total_tokens: 60,
        cost_usd: 1.25,
      },
      {
        message_id: 'm2',
        request_id: 'r2',
        scope: '',
        ts,
        event_id: '00000000-0000-4000-8000-000000000003',
        host: 'h2',
        user: 'bo',
        session_id: 's2',
        project: '/repo/b',
        model: 'mystery-model',
        input_tokens: 1,
        output_tokens: 1,
        total_tokens: 2,
        cost_usd: null,
        unpriced: true,
      },
    ]);
    // The store prices from its book, not from the rows' host-side cost.
    await syncPrices(store, shippedBook());
    await storeRowsOutsideTheRange(store);
  }, 60_000);

  afterAll(async () => {
    await store?.close();
    rmSync(data, { recursive: true, force: true });
  });

  const queries = dashboards.flatMap(({ file, d }) => [
    ...d.panels.flatMap((p) =>
      p.targets
        .filter((t) => datasourceOf(d, t.datasource) === CLICKHOUSE)
        .map((t) => ({ name: `${file} / ${p.title}`, sql: t.rawSql! })),
    ),
    ...d.templating.list
      .filter((v) => v.datasource && datasourceOf(d, v.datasource) === CLICKHOUSE)
      .map((v) => ({ name: `${file} / variable ${v.name}`, sql: v.query })),
  ]);

  it('finds ClickHouse queries to run', () => {
    expect(queries.length).toBeGreaterThan(15);
  });

  it.each(queries)('$name runs', async ({ sql }) => {
    const expanded = expandMacros(sql);
    expect(expanded).not.toMatch(/\$__|\$\{/);
    await expect(store.query(expanded)).resolves.toBeInstanceOf(Array);
  });

  it('every big table holds rows outside the range (the check below can fail)', async () => {
    for (const table of BIG_TABLES) {
      const plan = await store.query<{ table: string; rows: number }>(`EXPLAIN ESTIMATE SELECT * FROM ${table}`);
      expect(Number(plan.find((r) => r.table === table)?.rows), table).toBeGreaterThanOrEqual(OUTSIDE_ROWS);
    }
  });

  it.each(queries)('$name reads no big table outside its range', async ({ sql }) => {
    const plan = await store.query<{ table: string; rows: number }>(`EXPLAIN ESTIMATE ${expandMacros(sql)}`);
    for (const r of plan.filter((x) => BIG_TABLES.includes(x.table)))
      expect(Number(r.rows), `rows of ${r.table} read`).toBeLessThan(OUTSIDE_ROWS);
  });

  it('the usage panels count each response once, by the max rule, and never price the unpriced', async () => {
    const usage = dashboards.find((x) => x.d.uid === 'cctap-usage')!.d;
    const sqlOf = (title: string) => expandMacros(usage.panels.find((p) => p.title === title)!.targets[0]!.rawSql!);
    const tokens = {
      input: 10,
      output: 50,
      cacheCreation: 0,
      cacheRead: 0,
      cacheCreation5m: 0,
      cacheCreation1h: 0,
      webSearchRequests: 0,
      webFetchRequests: 0,
    };
    const m1 = priceResponse(shippedBook(), {
      model: 'claude-sonnet-4-5',
      ts,
      usage: tokens,
      speed: null,
      inferenceGeo: null,
    }).usd!;
    const [{ cost }] = (await store.query<{ cost: number }>(sqlOf('Cost (USD) in range'))) as [{ cost: number }];
    expect(cost).toBeCloseTo(m1, 12);
    expect(await store.query(sqlOf('Tokens in range'))).toEqual([{ tokens: 62 }]);
    expect(await store.query(sqlOf('Unpriced responses'))).toEqual([{ unpriced: 1 }]);
    const byModel = await store.query<{ model: string; cost: number | null }>(sqlOf('Cost by model'));
    expect(byModel.map((r) => r.model)).toEqual(['claude-sonnet-4-5', 'mystery-model']);
    expect(byModel[0]!.cost).toBeCloseTo(m1, 12);
    expect(byModel[1]!.cost).toBeNull();
  });
});

/** OUTSIDE_ROWS rows in each big table, OUTSIDE_DAYS ago (a partition of their own), that no panel may read. */
async function storeRowsOutsideTheRange(store: Store): Promise<void> {
  const ts = new Date(Date.now() - OUTSIDE_DAYS * 86_400_000).toISOString();
  const n = Array.from({ length: OUTSIDE_ROWS }, (_, i) => i);
  const uuid = (i: number) => `00000000-0000-4000-9000-${String(i).padStart(12, '0')}`;
  const types = ['prompt', 'tool.call', 'tool.result', 'api.error', 'refusal'];
  await store.insert(
    'usage',
    n.map((i) => ({
      message_id: `old-m${i}`,
      request_id: `old-r${i}`,
      scope: '',
      ts,
      event_id: uuid(i),
      host: 'h1',
      user: 'ana',
      session_id: 'old',
      model: 'claude-sonnet-4-5',
      input_tokens: 1,
      total_tokens: 1,
    })),
  );
  await store.insert(
    'events',
    n.map((i) => ({
      id: uuid(i),
      type: types[i % types.length],
      ts,
      host: 'h1',
      user: 'ana',
      session_id: `old-s${i % 10}`,
      payload: '{}',
    })),
  );
  await store.insert(
    'derived',
    n.map((i) => ({ id: `old-d${i}`, kind: 'tool.span', ts, host: 'h1', session_id: 'old' })),
  );
  await store.insert(
    'alerts',
    n.map((i) => ({ id: `old-a${i}`, rule: 'r', severity: 'warning', status: 'firing', ts, updated_at: ts })),
  );
  await store.insert(
    'invalid_events',
    n.map((i) => ({ id: `old-i${i}`, received_at: ts, host: 'h1', reason: 'schema' })),
  );
}
