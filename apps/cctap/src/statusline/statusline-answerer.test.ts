import { describe, expect, it } from 'vitest';
import type { StatuslineFigures, StatuslineQuery } from './figures.js';
import { createStatuslineAnswerer } from './statusline-answerer.js';
import type { QuotaRecorder } from './quota-recorder.js';

const quota: QuotaRecorder = { record: (r) => r.readings.length };
const figuresOf = (n: number): StatuslineFigures => ({
  sessionCostUsd: n,
  todayCostUsd: n,
  block: null,
  priceBook: null,
});

function setup() {
  let t = 0;
  let computed = 0;
  let release: (() => void) | null = null;
  const compute = (_q: StatuslineQuery) => {
    computed += 1;
    const n = computed;
    return new Promise<StatuslineFigures>((resolve) => (release = () => resolve(figuresOf(n))));
  };
  const a = createStatuslineAnswerer({ quota, compute, freshMs: 2000, staleMs: 60_000, now: () => t });
  const req = { query: { sessionId: 's1', tz: 'UTC' } };
  return { a, req, tick: (ms: number) => (t += ms), computed: () => computed, release: () => release!() };
}

describe('the status-line answers of up', () => {
  it('computes once for concurrent calls, answers fresh figures as they are, stale ones at once while recomputing', async () => {
    const s = setup();
    const first = [s.a.answer(s.req), s.a.answer(s.req)];
    s.release();
    expect((await Promise.all(first)).map((x) => x.figures.sessionCostUsd)).toEqual([1, 1]);
    expect(s.computed()).toBe(1);

    s.tick(1000);
    expect((await s.a.answer(s.req)).figures.sessionCostUsd).toBe(1);
    expect(s.computed()).toBe(1);

    s.tick(5000); // stale: answered with the kept figures, recomputed behind
    expect((await s.a.answer(s.req)).figures.sessionCostUsd).toBe(1);
    expect(s.computed()).toBe(2);
    s.release();
    await Promise.resolve();
    await Promise.resolve();
    expect((await s.a.answer(s.req)).figures.sessionCostUsd).toBe(2);

    s.tick(120_000); // too old to show: the call waits
    const late = s.a.answer(s.req);
    s.release();
    expect((await late).figures.sessionCostUsd).toBe(3);
  });

  it('records the quota readings with every call and refuses a malformed query', async () => {
    const s = setup();
    const call = s.a.answer({
      ...s.req,
      quota: {
        sessionId: 's1',
        cwd: '',
        transcriptPath: '',
        ccVersion: '',
        readings: [
          { window: 'seven_day', usedPercentage: 1, resetsAt: null, windowTokens: null, usedTokens: null, model: null },
        ],
      },
    });
    s.release();
    expect((await call).quotaRecorded).toBe(1);
    await expect(s.a.answer({ query: { sessionId: 1 } } as never)).rejects.toThrow(TypeError);
  });
});
