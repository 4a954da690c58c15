import { decodeTrustedBatch } from '@cctap/events';
import { eventSchema } from '@cctap/events/internal';
import { createLogger } from '@cctap/kit';
import { describe, expect, it } from 'vitest';
import { createQuotaRecorder } from './quota-recorder.js';
import type { QuotaReport } from './quota-report.js';

function setup() {
  const published: { subject: string; data: Uint8Array; msgId: string | undefined }[] = [];
  let fail = false;
  const bus = {
    publish: async (subject: string, data: Uint8Array, opts?: { msgId?: string }) => {
      if (fail) throw new Error('bus closed');
      published.push({ subject, data, msgId: opts?.msgId });
      return { stream: 'CCTAP_RAW', seq: published.length, duplicate: false };
    },
  };
  let t = Date.parse('2026-03-02T10:00:00Z');
  const rec = createQuotaRecorder({
    bus,
    subject: 'cctap.raw.box',
    host: 'box',
    user: 'ann',
    logger: createLogger({ service: 't', level: 'error' }),
    now: () => (t += 1000),
  });
  const events = () => published.flatMap((p) => decodeTrustedBatch(p.data).events);
  return { rec, events, published, failNext: (v: boolean) => (fail = v) };
}

const report = (sessionId: string, fiveHour: number, context: number): QuotaReport => ({
  sessionId,
  cwd: '/a',
  transcriptPath: `/t/${sessionId}.jsonl`,
  ccVersion: '2.1.300',
  readings: [
    {
      window: 'five_hour',
      usedPercentage: fiveHour,
      resetsAt: '2026-03-02T12:00:00.000Z',
      windowTokens: null,
      usedTokens: null,
      model: null,
    },
    {
      window: 'context',
      usedPercentage: context,
      resetsAt: null,
      windowTokens: 200_000,
      usedTokens: context * 2000,
      model: null,
    },
  ],
});

describe('quota readings in up', () => {
  it('records a reading once per change: account windows across sessions, the context window per session', async () => {
    const { rec, events, published } = setup();
    expect(rec.record(report('s1', 50, 10))).toBe(2);
    expect(rec.record(report('s1', 50, 10))).toBe(0);
    // Another session reports the same account-wide window: only its own context is new.
    expect(rec.record(report('s2', 50, 10))).toBe(1);
    expect(rec.record(report('s1', 51, 10))).toBe(1);
    await Promise.resolve();
    expect(events().map((e) => [e.sessionId, e.type === 'quota' && e.payload.window])).toEqual([
      ['s1', 'five_hour'],
      ['s1', 'context'],
      ['s2', 'context'],
      ['s1', 'five_hour'],
    ]);
    for (const e of events()) expect(eventSchema.safeParse(e).success).toBe(true);
    expect(new Set(published.map((p) => p.subject))).toEqual(new Set(['cctap.raw.box']));
    expect(new Set(events().map((e) => e.id)).size).toBe(4);
  });

  it('sends a reading again after its publish failed; rejects a report that is not one', async () => {
    const { rec, events, failNext } = setup();
    failNext(true);
    expect(rec.record(report('s1', 50, 10))).toBe(2);
    await new Promise((r) => setTimeout(r, 0));
    failNext(false);
    expect(rec.record(report('s1', 50, 10))).toBe(2);
    await Promise.resolve();
    expect(events()).toHaveLength(2);
    expect(() =>
      rec.record({ ...report('s1', 1, 1), readings: [{ window: 'weekly' }] } as unknown as QuotaReport),
    ).toThrow();
  });
});
