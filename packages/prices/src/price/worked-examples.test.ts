/**
 * docs/accuracy.md "Pricing rules, worked": every `price-example` block is parsed and checked, so the
 * document cannot drift from the code. Per block:
 *   facts: model=… ts=… [speed=…] [geo=…] [input= output= cacheRead= cacheCreation= cacheWrite5m= cacheWrite1h=
 *          webSearch= advisor=<model>:<k>=<v>,…]
 *   <tokens> <what> × $<rate> per MTok = $<usd>      adds usd to the running sum (tokens × rate / 1e6 = usd)
 *   $<sum> × <m> (<why>) = $<usd>                     the running sum so far, multiplied
 *   <n> web searches × $<price> = $<usd>              adds n × price
 *   total: $<usd> | unpriced                          equals the running sum and priceResponse
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { shippedBook } from '../book/shipped-book.js';
import { usage } from '../testing/usage.js';
import { priceResponse, type PricingFacts, type TokenUsage } from './price-response.js';

const DOC = fileURLToPath(new URL('../../../../docs/accuracy.md', import.meta.url));

function section(): string {
  const text = readFileSync(DOC, 'utf8');
  const start = text.indexOf('## Pricing rules, worked');
  if (start < 0) throw new Error('docs/accuracy.md has no "Pricing rules, worked" section');
  const end = text.indexOf('\n## ', start + 1);
  return text.slice(start, end < 0 ? undefined : end);
}

const num = (s: string): number => Number(s.replace(/,/g, ''));

function usageOf(kv: Record<string, string>): TokenUsage {
  const w5 = num(kv.cacheWrite5m ?? '0');
  const w1 = num(kv.cacheWrite1h ?? '0');
  return usage({
    input: num(kv.input ?? '0'),
    output: num(kv.output ?? '0'),
    cacheRead: num(kv.cacheRead ?? '0'),
    cacheCreation: num(kv.cacheCreation ?? '0') + w5 + w1,
    cacheCreation5m: w5,
    cacheCreation1h: w1,
    webSearchRequests: num(kv.webSearch ?? '0'),
  });
}

function factsOf(line: string): PricingFacts {
  const kv: Record<string, string> = {};
  for (const pair of line.replace(/^facts:\s*/, '').split(/\s+/)) {
    const i = pair.indexOf('=');
    kv[pair.slice(0, i)] = pair.slice(i + 1);
  }
  const advisor = kv.advisor?.split(';').map((a) => {
    const [model, rest] = a.split(':') as [string, string];
    return { model, usage: usageOf(Object.fromEntries(rest.split(',').map((p) => p.split('=') as [string, string]))) };
  });
  return {
    model: kv.model!,
    ts: kv.ts!,
    usage: usageOf(kv),
    speed: kv.speed ?? null,
    inferenceGeo: kv.geo ?? null,
    ...(advisor ? { advisor } : {}),
  };
}

const TERM = /^([\d,]+) [a-z0-9 -]+ × \$([\d.]+) per MTok = \$([\d.]+)$/;
const MULT = /^\$([\d.]+) × ([\d.]+) \([^)]+\) = \$([\d.]+)$/;
const SEARCH = /^(\d+) web searches × \$([\d.]+) = \$([\d.]+)$/;
const TOTAL = /^total: (?:\$([\d.]+)|(unpriced))$/;
const close = (a: number, b: number) => Math.abs(a - b) < 1e-9;

const blocks = [...section().matchAll(/```price-example\n([\s\S]*?)```/g)].map((m) => m[1]!.trim().split('\n'));

describe('docs/accuracy.md: pricing rules, worked', () => {
  it('has one example per rule', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(10);
  });

  it.each(blocks.map((b) => [b[0]!, b]))('%s', (_name, lines) => {
    const facts = factsOf(lines[0]!);
    let sum = 0;
    let total: number | null | undefined;
    for (const line of lines.slice(1)) {
      let m: RegExpExecArray | null;
      if ((m = TERM.exec(line))) {
        expect(close((num(m[1]!) * num(m[2]!)) / 1e6, num(m[3]!)), line).toBe(true);
        sum += num(m[3]!);
      } else if ((m = MULT.exec(line))) {
        expect(close(num(m[1]!), sum), `${line}: the sum so far is ${sum}`).toBe(true);
        expect(close(num(m[1]!) * num(m[2]!), num(m[3]!)), line).toBe(true);
        sum = num(m[3]!);
      } else if ((m = SEARCH.exec(line))) {
        expect(close(num(m[1]!) * num(m[2]!), num(m[3]!)), line).toBe(true);
        sum += num(m[3]!);
      } else if ((m = TOTAL.exec(line))) {
        total = m[2] ? null : num(m[1]!);
      } else {
        throw new Error(`unreadable line in a price-example block: ${line}`);
      }
    }
    const priced = priceResponse(shippedBook(), facts);
    if (total === null) {
      expect(priced).toMatchObject({ usd: null, unpriced: true });
    } else {
      expect(total, 'every block ends with a total').toBeDefined();
      expect(close(sum, total!), `lines sum to ${sum}, total says ${total}`).toBe(true);
      expect(priced.usd).toBeCloseTo(total!, 9);
    }
  });
});
