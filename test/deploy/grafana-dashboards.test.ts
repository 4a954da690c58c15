/**
 * deploy/grafana/dashboards/*.json: well-formed for their schema version, every panel names a provisioned
 * datasource and has targets, and every ClickHouse query (panels and template variables) runs against the
 * schema the sink's migrations create, on the embedded engine, with Grafana's macros expanded.
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
  templating: { list: { name: string; query: string; datasource: { uid: string } }[] };
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

/** What Grafana's ClickHouse plugin turns its macros and `${var:singlequote}` into, with a 30-day range. */
function expandMacros(sql: string): string {
  return sql
    .replace(/\$__timeFilter\(([^)]+)\)/g, (_, c: string) => `${c} >= now() - INTERVAL 30 DAY AND ${c} <= now()`)
    .replace(/\$__timeInterval\(([^)]+)\)/g, (_, c: string) => `toStartOfInterval(${c}, INTERVAL 3600 second)`)
    .replace(/\$__fromTime/g, 'toDateTime(now() - INTERVAL 30 DAY)')
    .replace(/\$__toTime/g, 'toDateTime(now())')
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
        ).toContain(p.datasource.uid);
        expect(p.targets.length, p.title).toBeGreaterThan(0);
        for (const t of p.targets) {
          expect(provisioned.map((x) => x.uid)).toContain(t.datasource.uid);
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
  });

  afterAll(async () => {
    await store?.close();
    rmSync(data, { recursive: true, force: true });
  });

  const queries = dashboards.flatMap(({ file, d }) => [
    ...d.panels.flatMap((p) =>
      p.targets
        .filter((t) => t.datasource.uid === CLICKHOUSE)
        .map((t) => ({ name: `${file} / ${p.title}`, sql: t.rawSql! })),
    ),
    ...d.templating.list
      .filter((v) => v.datasource.uid === CLICKHOUSE)
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
