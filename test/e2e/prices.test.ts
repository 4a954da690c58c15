/**
 * Pricing through the commands a user types: `cctap up --once` stores a session's usage, `cctap report daily
 * --json` prices it with the shipped book and names that book, a changed price file given to `cctap report
 * --prices` re-prices the stored history (cost changes, tokens and stored rows do not, nothing is
 * re-ingested), and `cctap prices update` imports a LiteLLM-format file from a real local HTTP server into the
 * price file. Expected costs come from the book's own TypeScript pricing over the facts this test wrote.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBook, priceResponse, shippedBook, type PriceBook } from '@cctap/prices';
import type { TokenUsage } from '@cctap/prices/internal';
import { cli, sqlJson } from './support/run-cctap.js';

let dir: string;
let home: string;
let root: string;
let data: string;
let server: Server;
let baseUrl: string;

interface Response {
  id: string;
  ts: string;
  model: string;
  usage: {
    input_tokens: number;
    output_tokens: number;
    cache_creation_input_tokens: number;
    cache_read_input_tokens: number;
    cache_creation?: { ephemeral_5m_input_tokens: number; ephemeral_1h_input_tokens: number };
    inference_geo?: string;
    server_tool_use?: { web_search_requests: number };
    iterations?: unknown[];
  };
  speed?: string;
}

const RESPONSES: Response[] = [
  {
    id: 'a',
    ts: '2026-11-20T10:00:00.000Z',
    model: 'claude-opus-4-5-20251101',
    usage: {
      input_tokens: 1200,
      output_tokens: 800,
      cache_creation_input_tokens: 5000,
      cache_read_input_tokens: 40_000,
      cache_creation: { ephemeral_5m_input_tokens: 1000, ephemeral_1h_input_tokens: 4000 },
    },
  },
  {
    id: 'b',
    ts: '2026-11-20T10:05:00.000Z',
    model: 'claude-sonnet-5-5',
    usage: {
      input_tokens: 300,
      output_tokens: 2500,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 90_000,
      inference_geo: 'us',
      server_tool_use: { web_search_requests: 2 },
      iterations: [
        {
          type: 'advisor_message',
          model: 'claude-opus-4-5',
          input_tokens: 7000,
          output_tokens: 900,
          cache_creation_input_tokens: 0,
          cache_read_input_tokens: 0,
        },
      ],
    },
  },
  {
    id: 'c',
    ts: '2026-11-20T10:10:00.000Z',
    model: 'claude-future-9',
    usage: { input_tokens: 10, output_tokens: 10, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
  },
];

function line(r: Response, i: number): string {
  return JSON.stringify({
    type: 'assistant',
    uuid: `00000000-0000-4000-8000-00000000000${i}`,
    parentUuid: null,
    isSidechain: false,
    sessionId: 'sess-prices',
    timestamp: r.ts,
    cwd: '/home/dev/app',
    gitBranch: 'main',
    version: '2.1.300',
    requestId: `req_${r.id}`,
    message: {
      id: `msg_${r.id}`,
      type: 'message',
      role: 'assistant',
      model: r.model,
      content: [{ type: 'text', text: 'ok' }],
      stop_reason: 'end_turn',
      usage: r.usage,
    },
  });
}

/** What the book's TypeScript pricing says the priced responses cost (the unknown model is left out). */
function expectedCost(book: PriceBook): number {
  let usd = 0;
  for (const r of RESPONSES) {
    const u = (x: {
      input_tokens: number;
      output_tokens: number;
      cache_creation_input_tokens: number;
      cache_read_input_tokens: number;
      cache_creation?: { ephemeral_5m_input_tokens: number; ephemeral_1h_input_tokens: number };
      server_tool_use?: { web_search_requests: number };
    }): TokenUsage => ({
      input: x.input_tokens,
      output: x.output_tokens,
      cacheCreation: x.cache_creation_input_tokens,
      cacheRead: x.cache_read_input_tokens,
      cacheCreation5m: x.cache_creation?.ephemeral_5m_input_tokens ?? 0,
      cacheCreation1h: x.cache_creation?.ephemeral_1h_input_tokens ?? 0,
      webSearchRequests: x.server_tool_use?.web_search_requests ?? 0,
      webFetchRequests: 0,
    });
    const advisor = (r.usage.iterations ?? []).map((it) => ({
      model: (it as { model: string }).model,
      usage: u(it as Parameters<typeof u>[0]),
    }));
    const p = priceResponse(book, {
      model: r.model,
      ts: r.ts,
      usage: u(r.usage),
      speed: r.speed ?? null,
      inferenceGeo: r.usage.inference_geo ?? null,
      advisor,
    });
    if (p.usd !== null) usd += p.usd;
  }
  return usd;
}

interface DailyJson {
  daily: {
    date: string;
    totalTokens: number;
    totalCost: number | null;
    unpricedModels?: string[];
    modelsUsed: string[];
  }[];
  totals: { totalTokens: number; totalCost: number | null; unpricedModels?: string[] };
  priceBook: string | null;
}

async function daily(...extra: string[]): Promise<DailyJson> {
  const r = await cli(['report', 'daily', '--json', '--data', data, ...extra], { HOME: home });
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as DailyJson;
}

const LITELLM = {
  sample_spec: { input_cost_per_token: 0 },
  'claude-opus-4-5': {
    litellm_provider: 'anthropic',
    input_cost_per_token: 6e-6,
    output_cost_per_token: 30e-6,
    cache_creation_input_token_cost: 7.5e-6,
    cache_read_input_token_cost: 0.6e-6,
  },
  'claude-future-9': { litellm_provider: 'anthropic', input_cost_per_token: 1e-6, output_cost_per_token: 2e-6 },
  'gpt-x': { litellm_provider: 'openai', input_cost_per_token: 1e-6, output_cost_per_token: 2e-6 },
};

/** genai-prices' data.json shape (USD per MTok). */
const GENAI = [
  {
    id: 'anthropic',
    models: [
      {
        id: 'claude-opus-4-5',
        match: { starts_with: 'claude-opus-4-5' },
        prices: { input_mtok: 8, output_mtok: 40, cache_write_mtok: 10, cache_write_1h_mtok: 16, cache_read_mtok: 0.8 },
      },
    ],
  },
];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cctap-e2e-prices-'));
  home = join(dir, 'home');
  mkdirSync(home);
  root = join(dir, 'claude');
  const project = join(root, 'projects', '-home-dev-app');
  mkdirSync(project, { recursive: true });
  writeFileSync(join(project, 'sess-prices.jsonl'), `${RESPONSES.map(line).join('\n')}\n`);
  data = join(dir, 'data');
  server = createServer((req, res) => {
    if (req.url === '/model_prices_and_context_window.json') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(LITELLM));
    } else if (req.url === '/prices/data.json') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(GENAI));
    } else {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const up = await cli(['up', '--once', '--root', root, '--data', data, '--metrics-port', '0', '--quiet'], {
    HOME: home,
  });
  expect(up.code, up.stderr).toBe(0);
}, 120_000);

afterAll(async () => {
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

describe('prices through the CLI', () => {
  it('re-prices stored history when the price file changes, without re-ingesting', async () => {
    const rowsBefore = await sqlJson<{ events: number; usage: number }>(
      data,
      'SELECT (SELECT count() FROM events) AS events, (SELECT count() FROM usage) AS usage',
    );
    const first = await daily();
    const shipped = shippedBook();
    expect(first.priceBook).toBe(shipped.version);
    expect(first.totals.totalCost).toBeCloseTo(expectedCost(shipped), 9);
    expect(first.totals.unpricedModels).toEqual(['claude-future-9']);
    // The advisor's tokens count under its model.
    expect(first.daily[0]!.modelsUsed).toEqual(
      expect.arrayContaining(['claude-opus-4-5', 'claude-opus-4-5-20251101', 'claude-sonnet-5-5', 'claude-future-9']),
    );

    const file = join(dir, 'prices.yaml');
    writeFileSync(
      file,
      'models:\n  claude-opus-4-5:\n    rates: { input: 9, output: 40 }\n  claude-future-9:\n    rates: { input: 1, output: 2 }\n',
    );
    const book = loadBook({ file });
    const second = await daily('--prices', file);
    expect(second.priceBook).toBe(book.version);
    expect(second.priceBook).not.toBe(first.priceBook);
    expect(second.totals.totalTokens).toBe(first.totals.totalTokens);
    expect(second.totals.totalCost).not.toBeCloseTo(first.totals.totalCost!, 6);
    expect(second.totals.totalCost).toBeCloseTo(expectedCost(book), 9);
    expect(second.totals.unpricedModels).toBeUndefined();
    // The store keeps the book it was last synced with.
    expect((await daily()).totals.totalCost).toBe(second.totals.totalCost);
    expect(
      await sqlJson(data, 'SELECT (SELECT count() FROM events) AS events, (SELECT count() FROM usage) AS usage'),
    ).toEqual(rowsBefore);

    const text = await cli(['report', 'daily', '--data', data, '--prices', join(dir, 'missing.yaml')], { HOME: home });
    expect(text.code).toBe(2);
    expect(text.stderr.trim().split('\n')).toHaveLength(1);
    expect(text.stderr).toContain('missing.yaml');
  }, 120_000);

  it('text reports name the book and list unpriced models', async () => {
    const r = await cli(['report', 'daily', '--data', data, '--prices', join(dir, 'none.yaml')], { HOME: home });
    expect(r.code).toBe(2);
    writeFileSync(join(dir, 'empty.yaml'), 'models: {}\n');
    const book = loadBook({ file: join(dir, 'empty.yaml') });
    for (const kind of ['daily', 'monthly', 'session', 'blocks']) {
      const t = await cli(['report', kind, '--data', data, '--prices', join(dir, 'empty.yaml')], { HOME: home });
      expect(t.code, t.stderr).toBe(0);
      expect(t.stdout, kind).toContain(`prices: book ${book.version}`);
      expect(t.stdout, kind).toContain('unpriced (no price known, not in cost): claude-future-9');
    }
    const blocks = await cli(['report', 'blocks', '--json', '--data', data], { HOME: home });
    expect((JSON.parse(blocks.stdout) as { priceBook: string }).priceBook).toBe(book.version);
  }, 120_000);

  it('`cctap prices update` imports a LiteLLM file from an HTTP server into the price file, and reports use it', async () => {
    const file = join(home, '.cctap', 'prices.json');
    const r = await cli(
      ['prices', 'update', '--from', `${baseUrl}/model_prices_and_context_window.json`, '--data', data],
      { HOME: home },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/changed\s+claude-opus-4-5: .*input 5 -> 6/);
    expect(r.stdout).toMatch(/added\s+claude-future-9/);
    expect(r.stdout).toContain(`written to ${file}`);
    expect(r.stdout).toContain("next 'cctap up'");
    const book = loadBook({ file });
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({
      models: { 'claude-opus-4-5': { rates: { input: 6, output: 30 } } },
    });

    const listed = await cli(['prices', '--json'], { HOME: home });
    const json = JSON.parse(listed.stdout) as {
      version: string;
      file: string;
      models: { model: string; input: number; output: number }[];
    };
    expect(json).toMatchObject({ version: book.version, file });
    expect(json.models.find((m) => m.model === 'claude-opus-4-5')).toMatchObject({ input: 6, output: 30 });
    expect(json.models.find((m) => m.model === 'claude-future-9')).toMatchObject({ input: 1, output: 2 });

    // The default price file applies at the next sync (`cctap migrate` here), to all stored history.
    const m = await cli(['migrate', '--data', data], { HOME: home });
    expect(m.code, m.stderr).toBe(0);
    const after = await daily();
    expect(after.priceBook).toBe(book.version);
    expect(after.totals.totalCost).toBeCloseTo(expectedCost(book), 9);

    const again = await cli(['prices', 'update', '--from', `${baseUrl}/model_prices_and_context_window.json`], {
      HOME: home,
    });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/^no changes/);
  }, 120_000);

  it('`--source genai-prices --effective-from` adds dated prices: history before the instant keeps its price', async () => {
    const file = join(dir, 'genai.json');
    const from = '2026-11-20T10:02:00Z';
    const r = await cli(
      [
        'prices',
        'update',
        '--source',
        'genai-prices',
        '--from',
        `${baseUrl}/prices/data.json`,
        '--effective-from',
        from,
        '--prices',
        file,
      ],
      { HOME: join(dir, 'elsewhere') },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/changed\s+claude-opus-4-5/);
    expect(r.stdout).toContain(`--prices ${file}`);
    const listed = JSON.parse((await cli(['prices', '--json', '--prices', file])).stdout) as {
      models: { model: string; effectiveFrom: string | null; input: number }[];
    };
    expect(listed.models.filter((m) => m.model === 'claude-opus-4-5').map((m) => [m.effectiveFrom, m.input])).toEqual([
      [null, 5],
      ['2026-11-20T10:02:00.000Z', 8],
    ]);
    const book = loadBook({ file });
    const report = await daily('--prices', file);
    expect(report.totals.totalCost).toBeCloseTo(expectedCost(book), 9);
    // Response a (10:00) keeps the old Opus 4.5 price, the advisor of response b (10:05) pays the new one.
    const old = loadBook({ file: null });
    expect(expectedCost(book)).not.toBeCloseTo(expectedCost(old), 6);
  }, 120_000);

  it('says in one line when the source cannot be reached or read', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const down = await cli(
      ['prices', 'update', '--from', `http://127.0.0.1:${port}/x.json`, '--prices', join(dir, 'p.json')],
      { HOME: home },
    );
    expect(down.code).toBe(1);
    expect(down.stderr.trim().split('\n')).toHaveLength(1);
    expect(down.stderr).toContain('no connection (ECONNREFUSED)');
    const missing = await cli(['prices', 'update', '--from', `${baseUrl}/nope.json`, '--prices', join(dir, 'p.json')], {
      HOME: home,
    });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('HTTP 404');
    const wrong = await cli(
      [
        'prices',
        'update',
        '--source',
        'genai-prices',
        '--from',
        `${baseUrl}/model_prices_and_context_window.json`,
        '--prices',
        join(dir, 'p.json'),
      ],
      { HOME: home },
    );
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('no Anthropic prices');
    expect(existsSync(join(dir, 'p.json'))).toBe(false);
    // A source that is not one (`toString` once passed an `in` check and crashed): a usage error, exit 2.
    for (const source of ['nope', 'toString']) {
      const unknown = await cli(['prices', 'update', '--source', source, '--prices', join(dir, 'p.json')], {
        HOME: home,
      });
      expect(unknown.code, unknown.stderr).toBe(2);
      expect(unknown.stderr.trim()).toBe(
        `cctap prices update: --source must be litellm or genai-prices, got '${source}'`,
      );
    }
  });
});
