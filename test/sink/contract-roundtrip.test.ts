/**
 * The contract from producer to row: the real validator, analyzer and alerter run on an in-process bus over a
 * scripted session, and what they publish on the invalid, derived and alerts streams is read by the sink's own
 * decoder (decodeMessages) and row mappers, as the sink service reads it. Every message must also pass the
 * contract's checked decode, and every row must carry each field its producer sent: the expected columns are
 * computed here from the producer's message by field name, independently of the mappers, so a field renamed on
 * one side only shows up as a failing column instead of an empty one in the store.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  batchMsgId,
  encodeBatch,
  topology,
  type Alert,
  type CctapEvent,
  type DerivedEvent,
  type EventType,
  type InvalidRecord,
  type PayloadOf,
} from '@cctap/events';
import { DERIVED_KINDS, decodeCheckedAlert, decodeCheckedDerived, decodeCheckedInvalid } from '@cctap/events/internal';
import { sampleEvent } from '@cctap/events/testing';
import { createInProcessBus, createMetrics, silentLogger, type BusMessage, type Subscription } from '@cctap/kit';
import { createAnalyzer, type AnalyzerService } from '@cctap/analyzer';
import { ManualClock } from '@cctap/kit/internal';
import { buildRuleSet, createAlerter, type AlerterService } from '@cctap/alerter';
import { createValidatorService } from '@cctap/validator';
import { decodeMessages, type AlertRow, type DerivedRow, type InvalidRow } from '@cctap/sink/internal';

const HOST = 'box-1';
const FILE = 'f-roundtrip';
const PATH = '/home/alice/.claude/projects/-home-alice-app/sess-1.jsonl';
const T0 = Date.parse('2026-03-02T10:00:00.000Z');
const S = 1000;
const MIN = 60 * S;

/** ClickHouse DateTime64(3) text of an ISO timestamp, computed without the sink's helper. */
const chTime = (iso: string) => new Date(iso).toISOString().replace('T', ' ').replace('Z', '');

type SinkKey = 'sink-invalid' | 'sink-derived' | 'sink-alerts';
interface Received {
  msg: BusMessage;
  row: object;
}

const clock = new ManualClock(T0);
const t = topology(`rt${randomBytes(3).toString('hex')}`);
const bus = createInProcessBus({
  topology: t,
  consumers: [
    'validator',
    'analyzer',
    'alerter-events',
    'alerter-derived',
    'sink-invalid',
    'sink-derived',
    'sink-alerts',
  ],
});
const metrics = createMetrics('roundtrip', { defaultMetrics: false });
const validator = createValidatorService({ bus, topology: t, logger: silentLogger, metrics, now: () => clock.now() });
const analyzer: AnalyzerService = createAnalyzer({
  bus,
  clock,
  topology: t,
  autoTick: false,
  // Waiting long enough for the shipped waiting-input rule (10 min) before the session counts as idle.
  config: { settleMs: 0, waitingMs: 11 * MIN, idleMs: 15 * MIN, contextWindows: { 'claude-sonnet-4-5': 200_000 } },
});
// The shipped rule pack, no receivers: every notification still goes out on the alerts stream.
const alerter: AlerterService = createAlerter({
  bus,
  clock,
  topology: t,
  rules: buildRuleSet({ receivers: [] }, { env: {} }),
  tickMs: 1_000_000,
});
const received: Record<SinkKey, Received[]> = { 'sink-invalid': [], 'sink-derived': [], 'sink-alerts': [] };
let undecodable = 0;
const subs: Subscription[] = [];

let offset = 0;
function ev<T extends EventType>(
  type: T,
  atMs: number,
  payload: Partial<PayloadOf<T>> = {},
  o: { agentId?: string; sessionId?: string } = {},
): CctapEvent {
  offset += 100;
  return sampleEvent(type, payload, {
    host: HOST,
    user: 'alice',
    sessionId: o.sessionId ?? 'sess-1',
    project: '/home/alice/app',
    ts: new Date(atMs).toISOString(),
    file: FILE,
    offset,
    path: PATH,
    agentId: o.agentId ?? null,
  });
}

let from = 0;
/** One raw batch through the validator; resolves once every stage downstream acked what it caused. */
async function send(events: readonly unknown[]): Promise<void> {
  const to = from + 100 * events.length;
  const body = encodeBatch({
    v: 1,
    host: HOST,
    source: { path: PATH, fileId: FILE, from, to },
    events: events as CctapEvent[],
  });
  await bus.publish(t.subjects.raw(HOST), body, { msgId: batchMsgId(HOST, FILE, from, to) });
  from = to;
}

/** Moves the clock and runs both services' time-based decisions. */
async function at(ms: number): Promise<void> {
  clock.set(ms);
  await analyzer.tick();
  await alerter.tick();
}

const usage = (input: number) => ({
  input,
  output: 200,
  cacheCreation: 0,
  cacheRead: 0,
  cacheCreation5m: 0,
  cacheCreation1h: 0,
  webSearchRequests: 0,
  webFetchRequests: 0,
});

beforeAll(async () => {
  for (const key of Object.keys(received) as SinkKey[])
    subs.push(
      bus.consumeBatch(key, async (msgs) => {
        const decoded = decodeMessages(key, msgs);
        undecodable += decoded.undecodable;
        // One row per message on these streams, in delivery order.
        const rows = [...decoded.rows.values()].flat();
        expect(rows).toHaveLength(msgs.length);
        msgs.forEach((msg, i) => received[key].push({ msg, row: rows[i]! }));
      }),
    );
  await validator.start();
  await analyzer.start();
  await alerter.start();

  clock.set(T0);
  const bash = { name: 'Bash', command: 'rm -rf ~', input: { command: 'rm -rf ~' }, inputHash: 'h-rm' };
  const read = { name: 'Read', command: null, filePath: '/app/x.ts', input: { file_path: '/app/x.ts' } };
  const t0 = T0;
  await send([
    ev('prompt', t0),
    ev('assistant', t0 + 1 * S, { stopReason: 'tool_use', toolUses: 1, usage: usage(170_000), messageId: 'm1' }),
    // In a session of its own: the critical alert would inhibit the lesser ones of its session.
    ev('tool.call', t0 + 2 * S, { toolUseId: 'tu-rm', ...bash }, { sessionId: 'sess-2' }),
    ev('tool.result', t0 + 3 * S, { toolUseId: 'tu-rm', isError: true, durationMs: 900 }, { sessionId: 'sess-2' }),
    // A contract violation and a subagent's call in the same batch: the one is rejected alone.
    { ...ev('prompt', t0 + 4 * S), payload: { kind: 'nope' } },
    ev('tool.call', t0 + 5 * S, { toolUseId: 'tu-sub', name: 'Grep', inputHash: 'h-grep' }, { agentId: 'agent-7' }),
    ev('tool.result', t0 + 6 * S, { toolUseId: 'tu-sub', durationMs: 40 }, { agentId: 'agent-7' }),
  ]);
  // The same failing call again and again: a loop and an error burst.
  const loop: CctapEvent[] = [];
  for (let i = 0; i < 5; i++) {
    loop.push(ev('tool.call', t0 + (10 + 2 * i) * S, { toolUseId: `tu-r${i}`, ...read, inputHash: 'h-read' }));
    loop.push(ev('tool.result', t0 + (11 + 2 * i) * S, { toolUseId: `tu-r${i}`, isError: true, durationMs: 10 }));
  }
  await send(loop);
  await send([
    ev('compaction', t0 + 25 * S),
    ev('assistant', t0 + 30 * S, { stopReason: 'end_turn', toolUses: 0, messageId: 'm2', requestId: 'r2' }),
  ]);
  await bus.publish(t.subjects.raw(HOST), new TextEncoder().encode('{"not json'), { msgId: 'garbage-rt' });
  await at(t0 + 31 * S + 30 * S); // group waits of the shipped rules
  await at(t0 + 30 * S + 12 * MIN); // waiting for input
  await at(t0 + 30 * S + 12 * MIN + 31 * S);
  await at(t0 + 30 * S + 16 * MIN); // idle
  await send([ev('prompt', t0 + 20 * MIN)]); // resumes
  await send([ev('assistant', t0 + 20 * MIN + 5 * S, { stopReason: 'end_turn', messageId: 'm3', requestId: 'r3' })]);
  // Ended; the alerts resolve (a group interval after their last update).
  for (const m of [90, 96, 102]) await at(t0 + m * MIN);
  await alerter.stop(); // waits for the notifications still being published
  await analyzer.stop('done');
  await validator.stop('done');
});

afterAll(async () => {
  for (const s of subs) await s.stop();
  await bus.close();
});

describe('producer -> codec -> sink rows', () => {
  it('maps every message the producers sent; none is dead-lettered', () => {
    expect(undecodable).toBe(0);
  });

  it('derived events: every kind the session caused, each column filled from the field of that name', () => {
    const rows = received['sink-derived'];
    const kinds = new Set<string>();
    for (const { msg, row } of rows) {
      const d: DerivedEvent = decodeCheckedDerived(msg.data);
      kinds.add(d.kind);
      const p = d.payload as Record<string, unknown>;
      const expected: DerivedRow = {
        id: d.id,
        kind: d.kind,
        ts: chTime(d.ts),
        host: d.host,
        user: d.user,
        session_id: d.sessionId,
        agent_id: d.agentId ?? '',
        project: d.project,
        tool_name: 'tool' in p ? (p.tool as string) : '',
        duration_ms: 'durationMs' in p ? (p.durationMs as number | null) : null,
        is_error: 'isError' in p ? (p.isError as boolean) : false,
        payload: JSON.stringify(d.payload),
      };
      expect(row, `${d.kind} ${msg.msgId}`).toEqual(expected);
    }
    const expectedKinds = DERIVED_KINDS.filter((k) => k !== 'anomaly'); // needs weeks of baseline sessions
    expect([...kinds].sort()).toEqual([...expectedKinds].sort());
    // The columns that depend on the payload really were exercised with values.
    const filled = rows.map((r) => r.row as DerivedRow);
    expect(filled.filter((r) => r.kind === 'tool.span' && r.tool_name === 'Read' && r.is_error)).toHaveLength(5);
    expect(filled.find((r) => r.kind === 'loop.detected')?.tool_name).toBe('Read');
    expect(filled.find((r) => r.kind === 'session.end')?.duration_ms).toBeGreaterThan(0);
  });

  it('alerts: every notification, firing and resolved, with the alert fields in their columns', () => {
    const rows = received['sink-alerts'];
    const seen = new Set<string>();
    for (const { msg, row } of rows) {
      const a: Alert = decodeCheckedAlert(msg.data);
      seen.add(`${a.rule}:${a.status}`);
      const expected: AlertRow = {
        id: a.id,
        rule: a.rule,
        severity: a.severity,
        status: a.status,
        ts: chTime(a.startsAt),
        host: a.host ?? '',
        user: a.user ?? '',
        session_id: a.sessionId ?? '',
        summary: a.summary ?? '',
        payload: JSON.stringify(a),
        updated_at: chTime(a.updatedAt),
      };
      expect(row, `${a.rule} ${a.status}`).toEqual(expected);
      // Session rules group by host and session: the producer sent them, so their columns are filled.
      expect(a.host).toBe(HOST);
      expect(a.sessionId).toMatch(/^sess-[12]$/);
    }
    for (const rule of ['dangerous-command', 'loop-detected', 'error-burst', 'context-high', 'waiting-input'])
      for (const status of ['firing', 'resolved']) expect(seen, `${rule} ${status}`).toContain(`${rule}:${status}`);
  });

  it("invalid records: the validator's rejections with their reason, source and raw document", () => {
    const rows = received['sink-invalid'];
    const reasons = [];
    for (const { msg, row } of rows) {
      const rec: InvalidRecord = decodeCheckedInvalid(msg.data);
      reasons.push(rec.reason);
      const expected: InvalidRow = {
        id: msg.msgId!,
        received_at: chTime(rec.receivedAt),
        host: rec.host,
        reason: rec.reason,
        detail: rec.detail,
        source_path: rec.source?.path ?? '',
        source_from: rec.source?.from ?? 0,
        source_to: rec.source?.to ?? 0,
        raw: rec.raw,
      };
      expect(row, rec.reason).toEqual(expected);
    }
    expect(reasons.sort()).toEqual(['not_json', 'schema']);
    const schema = rows.map((r) => r.row as InvalidRow).find((r) => r.reason === 'schema')!;
    expect(schema).toMatchObject({ host: HOST, source_path: PATH, source_from: 0 });
    expect(schema.raw).toContain('"nope"');
  });
});
