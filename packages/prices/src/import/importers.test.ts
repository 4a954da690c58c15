import { describe, expect, it } from 'vitest';
import { priceRows } from '../book/price-book.js';
import { shippedBook } from '../book/shipped-book.js';
import { priceResponse } from '../price/price-response.js';
import { resolveModel } from '../resolve/resolve-model.js';
import { usage } from '../testing/usage.js';
import { importGenaiPrices } from './genai-prices.js';
import { importLiteLlm } from './litellm.js';

const book = shippedBook();
const M = 1_000_000;
const cost = (b: typeof book, model: string, u = usage({ input: M }), ts = '2026-12-01T00:00:00Z') =>
  priceResponse(b, { model, ts, usage: u, speed: null, inferenceGeo: null }).usd;

/** A small excerpt in LiteLLM's shape (per-token USD). */
const LITELLM = {
  'claude-opus-4-8': {
    litellm_provider: 'anthropic',
    input_cost_per_token: 5e-6,
    output_cost_per_token: 25e-6,
    cache_creation_input_token_cost: 6.25e-6,
    cache_creation_input_token_cost_above_1hr: 10e-6,
    cache_read_input_token_cost: 5e-7,
    provider_specific_entry: { fast: 2 },
  },
  'claude-sonnet-4-5-20250929': {
    litellm_provider: 'anthropic',
    input_cost_per_token: 3e-6,
    output_cost_per_token: 15e-6,
    cache_creation_input_token_cost: 3.75e-6,
    cache_read_input_token_cost: 3e-7,
    input_cost_per_token_above_200k_tokens: 6e-6,
    output_cost_per_token_above_200k_tokens: 22.5e-6,
    cache_creation_input_token_cost_above_200k_tokens: 7.5e-6,
    cache_read_input_token_cost_above_200k_tokens: 6e-7,
  },
  // A source that knows only input x 0.1 for cache reads: reported, never silently taken.
  'claude-opus-5-5': {
    litellm_provider: 'anthropic',
    input_cost_per_token: 4e-6,
    output_cost_per_token: 20e-6,
    cache_creation_input_token_cost: 5e-6,
  },
  'claude-opus-7-20270301': { litellm_provider: 'anthropic', input_cost_per_token: 6e-6, output_cost_per_token: 30e-6 },
  'claude-opus-7': { litellm_provider: 'anthropic', input_cost_per_token: 7e-6, output_cost_per_token: 35e-6 },
  'anthropic.claude-opus-4-8-v1:0': { litellm_provider: 'bedrock', input_cost_per_token: 1, output_cost_per_token: 1 },
  'claude-opus-4-6@vertex': {
    litellm_provider: 'vertex_ai-anthropic_models',
    input_cost_per_token: 1,
    output_cost_per_token: 1,
  },
  'gpt-4o': { litellm_provider: 'openai', input_cost_per_token: 2.5e-6, output_cost_per_token: 10e-6 },
  sample_spec: { input_cost_per_token: 0 },
};

describe('importLiteLlm', () => {
  it('lists added and changed models and keeps what agrees', () => {
    const r = importLiteLlm(book, LITELLM);
    expect(r.unchanged).toEqual(['claude-opus-4-8', 'claude-sonnet-4-5']);
    expect(r.changes).toEqual([
      { key: 'claude-opus-5-5', kind: 'changed', detail: 'cacheRead 0.2 -> 0.4' },
      {
        key: 'claude-opus-7',
        kind: 'added',
        detail: 'added from LiteLLM model_prices_and_context_window.json: input 7, output 35 per MTok',
      },
    ]);
    expect(r.book.version).toMatch(/^2026-12-06\+litellm:[0-9a-f]{8}$/);
    // The undated entry wins over the dated one; missing cache rates follow the standard multipliers.
    expect(cost(r.book, 'claude-opus-7-20270301', usage({ cacheRead: M }))).toBeCloseTo(0.7, 12);
    expect(resolveModel(r.book, 'gpt-4o')).toBeNull();
    // Rules the source cannot express survive: Opus 5.5 keeps its US premium.
    expect(priceRows(r.book, 'claude-opus-5-5')[0]!.usMultiplier).toBe(1.1);
    expect(r.book.models.get('claude-opus-5-5')?.source).toBe(book.models.get('claude-opus-5-5')?.source);
  });

  it('applies a change from a date, leaving earlier responses at the old price', () => {
    const r = importLiteLlm(book, LITELLM, { effectiveFrom: '2026-12-10T00:00:00Z' });
    const read = usage({ cacheRead: M });
    expect(cost(r.book, 'claude-opus-5-5', read, '2026-12-09T00:00:00Z')).toBeCloseTo(0.2, 12);
    expect(cost(r.book, 'claude-opus-5-5', read, '2026-12-10T00:00:00Z')).toBeCloseTo(0.4, 12);
  });

  it('reads a tier from *_above_200k_tokens and the fast multiplier from provider_specific_entry', () => {
    const r = importLiteLlm(book, {
      'claude-sonnet-4-6': {
        input_cost_per_token: 3e-6,
        output_cost_per_token: 15e-6,
        cache_creation_input_token_cost: 3.75e-6,
        cache_read_input_token_cost: 3e-7,
        input_cost_per_token_above_200k_tokens: 6e-6,
        output_cost_per_token_above_200k_tokens: 22.5e-6,
        provider_specific_entry: { fast: 3 },
      },
    });
    expect(r.changes).toEqual([
      { key: 'claude-sonnet-4-6', kind: 'changed', detail: 'tier added above 200000, fast 1 -> 3' },
    ]);
    expect(cost(r.book, 'claude-sonnet-4-6', usage({ input: 300_000 }))).toBeCloseTo(1.8, 12);
  });

  it('ignores input that is not a LiteLLM table', () => {
    expect(importLiteLlm(book, null).changes).toEqual([]);
    expect(importLiteLlm(book, [1, 2]).book.version).toBe(book.version);
  });
});

/** A small excerpt in genai-prices' data.json shape (per-MTok USD, prefix match rules). */
const GENAI = [
  {
    id: 'openai',
    models: [{ id: 'gpt-4o', match: { equals: 'gpt-4o' }, prices: { input_mtok: 2.5, output_mtok: 10 } }],
  },
  {
    id: 'anthropic',
    models: [
      {
        id: 'claude-sonnet-5',
        match: { starts_with: 'claude-sonnet-5' },
        prices: {
          input_mtok: 2,
          cache_write_mtok: 2.5,
          cache_read_mtok: 0.2,
          output_mtok: 10,
          cache_write_1h_mtok: 4,
          web_searches_kcount: 10,
        },
      },
      {
        id: 'claude-sonnet-4-5',
        match: { starts_with: 'claude-sonnet-4-5' },
        prices: {
          input_mtok: { base: 3, tiers: [{ start: 200000, price: 6 }] },
          output_mtok: { base: 15, tiers: [{ start: 200000, price: 22.5 }] },
          cache_write_mtok: { base: 3.75, tiers: [{ start: 200000, price: 7.5 }] },
          cache_read_mtok: { base: 0.3, tiers: [{ start: 200000, price: 0.6 }] },
          cache_write_1h_mtok: { base: 6, tiers: [{ start: 200000, price: 12 }] },
        },
      },
      {
        id: 'claude-opus-4-0',
        match: { starts_with: 'claude-opus-4-0' },
        prices: {
          input_mtok: 15,
          output_mtok: 75,
          cache_write_mtok: 18.75,
          cache_read_mtok: 1.5,
          cache_write_1h_mtok: 30,
        },
      },
      {
        id: 'claude-nova-6',
        match: { equals: 'claude-nova-6' },
        prices: [
          { prices: { input_mtok: 3, output_mtok: 15 } },
          { constraint: { type: 'start_date', start_date: '2027-02-01' }, prices: { input_mtok: 2, output_mtok: 10 } },
        ],
      },
    ],
  },
];

describe('importGenaiPrices', () => {
  it('reads the anthropic provider by model id (never its prefix match rules)', () => {
    const r = importGenaiPrices(book, GENAI);
    expect(r.unchanged).toEqual(['claude-opus-4', 'claude-sonnet-4-5', 'claude-sonnet-5']);
    expect(r.changes.map((c) => [c.key, c.kind])).toEqual([['claude-nova-6', 'added']]);
    // Its `starts_with: claude-sonnet-5` would price Sonnet 5.5 as Sonnet 5; the book keeps them apart.
    expect(cost(r.book, 'claude-sonnet-5-5', usage({ cacheRead: M }))).toBeCloseTo(0.1, 12);
    expect(resolveModel(r.book, 'gpt-4o')).toBeNull();
  });

  it('turns start_date constraints into effective-dated changes', () => {
    const r = importGenaiPrices(book, { providers: GENAI });
    expect(cost(r.book, 'claude-nova-6', usage({ input: M }), '2027-01-31T23:59:59Z')).toBeCloseTo(3, 12);
    expect(cost(r.book, 'claude-nova-6', usage({ input: M }), '2027-02-01T00:00:00Z')).toBeCloseTo(2, 12);
  });

  it('reports a changed rate of a model the book has', () => {
    const changed = structuredClone(GENAI);
    (changed[1]!.models[0]!.prices as Record<string, number>).cache_read_mtok = 0.25;
    expect(importGenaiPrices(book, changed).changes.filter((c) => c.kind === 'changed')).toEqual([
      { key: 'claude-sonnet-5', kind: 'changed', detail: 'cacheRead 0.2 -> 0.25' },
    ]);
  });
});
