/**
 * A response whose line a refusal retracted (Claude Code removed it from the transcript and retried on a
 * fallback model) is not usage: gone from usage_responses and every report, listed by the retractions view.
 * Only in the session of the refusal: the same line uuid elsewhere stays counted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleEvent } from '@cctap/events/testing';
import { shippedBook } from '@cctap/prices';
import { syncPrices } from '@cctap/store';
import { toEventRow, toUsageRows } from '@cctap/sink/internal';
import { insertRows } from '@cctap/store';
import { assistant } from '@cctap/sink/testing';
import { periodReport } from '@cctap/reports';
import { openTempStore, type TempStore } from '@cctap/store/testing';

let store: TempStore;

beforeAll(async () => {
  store = await openTempStore('cctap-retractions-');
});
afterAll(() => store.close());

const ts = '2026-11-03T09:00:00.000Z';

describe('retracted responses', () => {
  it('leave usage and every report, and are listed as retractions', async () => {
    const refused = assistant({
      offset: 0,
      ts,
      messageId: 'msg_refused',
      requestId: 'req_refused',
      model: 'claude-fable-5',
      input: 900,
      output: 40,
      lineUuid: 'u-refused',
      sessionId: 's1',
      advisor: [{ model: 'claude-opus-5-5', input: 50, output: 5 }],
    });
    const fallback = assistant({
      offset: 100,
      ts,
      messageId: 'msg_fallback',
      requestId: 'req_fallback',
      model: 'claude-opus-4-8',
      input: 900,
      output: 400,
      lineUuid: 'u-fallback',
      sessionId: 's1',
    });
    const elsewhere = assistant({
      offset: 0,
      file: 'file-2',
      ts,
      messageId: 'msg_other',
      requestId: 'req_other',
      model: 'claude-fable-5',
      input: 7,
      output: 7,
      lineUuid: 'u-refused',
      sessionId: 's2',
    });
    await insertRows(store, 'usage', [refused, fallback, elsewhere].flatMap(toUsageRows), ['u1']);
    await syncPrices(store, shippedBook());
    const before = await periodReport(store, 'daily');
    expect(before.totals.inputTokens).toBe(900 + 50 + 900 + 7);

    const refusal = sampleEvent('refusal', { retractedUuids: ['u-refused'] }, { offset: 200, ts, sessionId: 's1' });
    await insertRows(store, 'events', [toEventRow(refusal), toEventRow(refusal)], ['e1']);

    const after = await periodReport(store, 'daily');
    expect(after.totals.inputTokens).toBe(900 + 7);
    expect(after.rows[0]!.modelsUsed).toEqual(['claude-fable-5', 'claude-opus-4-8']);
    const listed = await store.query<{
      message_id: string;
      scope: string;
      model: string;
      input_tokens: number;
      cost_usd: number | null;
    }>('SELECT message_id, scope, model, input_tokens, cost_usd FROM retractions ORDER BY scope');
    expect(listed.map((r) => [r.message_id, r.scope, r.model, Number(r.input_tokens)])).toEqual([
      ['msg_refused', '', 'claude-fable-5', 900],
      ['msg_refused', '|advisor:0', 'claude-opus-5-5', 50],
    ]);
    expect(listed.every((r) => r.cost_usd !== null && r.cost_usd > 0)).toBe(true);
  });
});
