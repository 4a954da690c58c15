import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { priceResponse } from '../price/price-response.js';
import { resolveModel } from '../resolve/resolve-model.js';
import { usage } from '../testing/usage.js';
import { loadBook } from './load-book.js';
import { PriceFileError } from './merge-book.js';
import { priceRows } from './price-book.js';
import { shippedBook } from './shipped-book.js';

const dir = mkdtempSync(join(tmpdir(), 'cctap-prices-'));
function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}
const M = 1_000_000;
const at = (book: ReturnType<typeof loadBook>, model: string, ts: string, u = usage({ input: M })) =>
  priceResponse(book, { model, ts, usage: u, speed: null, inferenceGeo: null }).usd;

const USER_YAML = `
models:
  claude-opus-4.8:            # any spelling of a model the book has
    rates: { input: 4 }       # overrides one rate, keeps the rest
  deepseek-chat:              # a model the book lacks
    source: our gateway invoice
    rates: { input: 0.28, output: 0.42 }
  claude-sonnet-5-5:
    changes:
      - from: 2027-01-01T00:00:00Z
        rates: { input: 1.5 }
`;

describe('loadBook', () => {
  it('is the shipped book without a file', () => {
    expect(loadBook({ file: null })).toBe(shippedBook());
  });

  it('merges a YAML file over the shipped book: override a rate, add a model, add a dated change', () => {
    const book = loadBook({ file: file('prices.yaml', USER_YAML) });
    expect(book.version).toMatch(/^2026-12-06\+user:[0-9a-f]{8}$/);
    expect(at(book, 'claude-opus-4-8', '2026-12-01T00:00:00Z')).toBeCloseTo(4, 12);
    expect(at(book, 'claude-opus-4-8', '2026-12-01T00:00:00Z', usage({ output: M }))).toBeCloseTo(25, 12);
    expect(resolveModel(book, 'deepseek-chat')).toBe('deepseek-chat');
    // Missing cache rates follow the standard multipliers of input.
    expect(at(book, 'deepseek-chat', '2026-12-01T00:00:00Z', usage({ cacheRead: M }))).toBeCloseTo(0.028, 12);
    expect(at(book, 'claude-sonnet-5-5', '2026-12-31T23:59:59Z')).toBeCloseTo(2, 12);
    expect(at(book, 'claude-sonnet-5-5', '2027-01-01T00:00:00Z')).toBeCloseTo(1.5, 12);
    // The shipped change of 2026-10-07 is still there, carried into the new row.
    expect(priceRows(book, 'claude-sonnet-5-5').map((r) => [r.effectiveFrom, r.base.cacheRead])).toEqual([
      [null, 2e-7],
      ['2026-10-07T00:00:00.000Z', 1e-7],
      ['2027-01-01T00:00:00.000Z', 1e-7],
    ]);
    // The shipped book is unchanged.
    expect(at(shippedBook(), 'claude-opus-4-8', '2026-12-01T00:00:00Z')).toBeCloseTo(5, 12);
    expect(resolveModel(shippedBook(), 'deepseek-chat')).toBeNull();
  });

  it('reads JSON by extension', () => {
    const p = file('prices.json', JSON.stringify({ models: { 'claude-haiku-4-5': { rates: { output: 4 } } } }));
    const book = loadBook({ file: p });
    expect(at(book, 'claude-haiku-4-5', '2026-12-01T00:00:00Z', usage({ output: M }))).toBeCloseTo(4, 12);
  });

  it('names the same content with the same version, other content with another', () => {
    const a = loadBook({ file: file('a.yaml', USER_YAML) });
    const b = loadBook({ file: file('b.yaml', `${USER_YAML}\n# a comment changes nothing\n`) });
    const c = loadBook({ file: file('c.yaml', USER_YAML.replace('input: 4', 'input: 4.5')) });
    expect(a.version).toBe(b.version);
    expect(c.version).not.toBe(a.version);
  });

  it.each([
    ['missing.yaml', null, /^prices file .*missing\.yaml: cannot read: ENOENT$/],
    ['bad.json', '{ "models": ', /^prices file .*bad\.json: not valid JSON: /],
    ['bad.yaml', 'models: [unclosed', /^prices file .*bad\.yaml: not valid YAML: /],
    [
      'type.yaml',
      'models:\n  claude-opus-5:\n    rates: { input: "five" }\n',
      /^prices file .*type\.yaml: models\.claude-opus-5\.rates\.input: /,
    ],
    [
      'neg.yaml',
      'models:\n  claude-opus-5:\n    rates: { output: -1 }\n',
      /^prices file .*neg\.yaml: models\.claude-opus-5\.rates\.output: /,
    ],
    [
      'field.yaml',
      'models:\n  claude-opus-5:\n    rate: { input: 1 }\n',
      /^prices file .*field\.yaml: models\.claude-opus-5: .*rate/,
    ],
    [
      'date.yaml',
      'models:\n  claude-opus-5:\n    changes: [{ from: "2027-01-01", rates: { input: 1 } }]\n',
      /models\.claude-opus-5\.changes\.0\.from: expected an ISO instant with a zone/,
    ],
    [
      'new.yaml',
      'models:\n  my-model:\n    rates: { input: 1 }\n',
      /^prices file .*new\.yaml: models\.my-model\.rates: a model the book does not have needs at least input and output$/,
    ],
  ])('a bad file (%s) is one clear line', (name, text, message) => {
    const p = text === null ? join(dir, name) : file(name, text);
    let err: unknown;
    try {
      loadBook({ file: p });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PriceFileError);
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message).not.toContain('\n');
  });
});
