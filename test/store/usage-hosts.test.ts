/**
 * One host's rows never replace, hide or retract another host's (migration 010, reports/responses-sql.ts),
 * while the same response seen twice on one host still counts once. On the real embedded engine, through
 * background merges (OPTIMIZE FINAL) and the reports users read.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleEvent } from '@cctap/events/testing';
import { shippedBook } from '@cctap/prices';
import { migrate } from '@cctap/store';
import { MIGRATIONS } from '@cctap/store/internal';
import { syncPrices } from '@cctap/store';
import { toEventRow, toUsageRows } from '@cctap/sink/internal';
import { insertRows } from '@cctap/store';
import { assistant, type AssistantSample } from '@cctap/sink/testing';
import { periodReport } from '@cctap/reports';
import { openTempStore, type TempStore } from '@cctap/store/testing';

let store: TempStore;

beforeAll(async () => {
  store = await openTempStore('cctap-usage-hosts-', { migrated: false });
});
afterAll(() => store.close());

const ts = '2026-11-03T09:00:00.000Z';
const rows = (...s: AssistantSample[]) => s.flatMap((x) => toUsageRows(assistant(x)));
const byHost = async (day: string) =>
  Object.fromEntries(
    (await periodReport(store, 'daily', { by: 'host', since: day, until: day })).rows.map((r) => [
      (r as { host?: string }).host,
      r.totalTokens,
    ]),
  );

describe('usage of two hosts', () => {
  it('keeps rows stored before migration 010 counted once next to new lines of the same response', async () => {
    await migrate(
      store,
      undefined,
      MIGRATIONS.filter((m) => m.version < 10),
    );
    const old = rows({
      offset: 0,
      ts: '2026-10-01T09:00:00.000Z',
      messageId: 'msg_old',
      requestId: 'req_old',
      input: 100,
      output: 1,
    }).map(({ dedup_host: _, ...r }) => r);
    await insertRows(store, 'usage', old, ['old']);
    await migrate(store);
    expect(
      await store.query("SELECT sorting_key FROM system.tables WHERE database = currentDatabase() AND name = 'usage'"),
    ).toEqual([{ sorting_key: 'message_id, request_id, scope, dedup_host' }]);
    await insertRows(
      store,
      'usage',
      rows({
        offset: 100,
        ts: '2026-10-01T09:00:01.000Z',
        messageId: 'msg_old',
        requestId: 'req_old',
        input: 100,
        output: 50,
      }),
      ['new'],
    );
    await store.command('OPTIMIZE TABLE usage FINAL');
    await syncPrices(store, shippedBook());
    expect(await byHost('2026-10-01')).toEqual({ 'host-a': 150 });
  });

  it("never lets a host's bigger line replace, hide or retract another host's response", async () => {
    // Host A: a response streamed over two lines, a resume copy in another session, and a subagent response.
    await insertRows(
      store,
      'usage',
      rows(
        { offset: 0, ts, messageId: 'msg_a', requestId: 'req_a', input: 1000, output: 10, lineUuid: 'ua-1' },
        { offset: 100, ts, messageId: 'msg_a', requestId: 'req_a', input: 1000, output: 200, lineUuid: 'ua-2' },
        {
          offset: 0,
          file: 'file-resume',
          sessionId: 'session-2',
          ts,
          messageId: 'msg_a',
          requestId: 'req_a',
          input: 1000,
          output: 10,
          lineUuid: 'ua-1',
        },
        {
          offset: 200,
          ts,
          messageId: 'msg_sub',
          requestId: 'req_sub',
          input: 300,
          output: 30,
          sidechain: true,
          lineUuid: 'ua-3',
        },
      ),
      ['a1'],
    );
    await syncPrices(store, shippedBook());
    const before = await byHost('2026-11-03');
    expect(before).toEqual({ 'host-a': 1200 + 330 });

    // Host B knows A's ids: a far bigger line of A's response, a main-chain copy of A's subagent response (which
    // would make A's look like a sidechain replay), and a refusal naming A's line uuids in A's session.
    const forged = { host: 'host-b', user: 'bob', file: 'file-b' };
    await insertRows(
      store,
      'usage',
      rows(
        {
          ...forged,
          offset: 0,
          ts,
          messageId: 'msg_a',
          requestId: 'req_a',
          input: 900_000,
          output: 100_000,
          lineUuid: 'ua-2',
        },
        { ...forged, offset: 100, ts, messageId: 'msg_sub', requestId: 'req_sub', input: 1, output: 1 },
      ),
      ['b1'],
    );
    const refusal = sampleEvent(
      'refusal',
      { retractedUuids: ['ua-1', 'ua-2', 'ua-3'] },
      { host: 'host-b', offset: 300, ts, sessionId: 'session-1' },
    );
    await insertRows(store, 'events', [toEventRow(refusal)], ['b2']);
    await store.command('OPTIMIZE TABLE usage FINAL');

    const after = await byHost('2026-11-03');
    expect(after['host-a']).toBe(before['host-a']);
    // B's refusal does retract B's own line ua-2 in B's session-1: what a host says counts for that host only.
    expect(after['host-b']).toBe(2);
    expect(await store.query('SELECT host, message_id FROM retractions')).toEqual([
      { host: 'host-b', message_id: 'msg_a' },
    ]);
    const a = await store.query<{ message_id: string; user: string; output_tokens: number }>(
      "SELECT message_id, user, output_tokens FROM usage_responses WHERE host = 'host-a' AND message_id != 'msg_old' ORDER BY message_id",
    );
    expect(a.map((r) => [r.message_id, r.user, Number(r.output_tokens)])).toEqual([
      ['msg_a', 'alice', 200],
      ['msg_sub', 'alice', 30],
    ]);
  });
});
