/**
 * Dead letters on a real nats-server, kept and usable: ClickHouse refuses the events of one host (a CHECK
 * constraint stands in for any rows the store rejects), so `cctap sink` terminates that message; the
 * forwarder of `cctap validator` puts it in CCTAP_DLQ with its original payload and counts it in
 * `cctap_dead_letters_total`; `cctap dlq list` and `show` show it; once the constraint is gone (the fix),
 * `cctap dlq replay` publishes it again, the sink stores it, and the dead letter is gone.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchMsgId, encodeBatch, topology } from '@cctap/events';
import { connectNats } from '@cctap/kit';
import { migrate, openStore } from '@cctap/store';
import { batchOf } from '../support/events.js';
import { startNats, type TestNats } from '../support/nats.js';
import { waitFor } from '../support/wait-for.js';
import { cliProcess, metricValue, type CliProcess } from './support/cli-process.js';
import { provisionPipeline } from './support/pipeline.js';
import { cli, sqlJson } from './support/run-cctap.js';

const POISON_HOST = 'poison-host';

/** The fault and the fix: what ClickHouse accepts into `events` (run while no sink holds the store). */
async function alterEvents(dataDir: string, sql: string): Promise<void> {
  const store = await openStore({ dataDir });
  try {
    await migrate(store);
    await store.command(`ALTER TABLE events ${sql}`);
  } finally {
    await store.close();
  }
}

describe('dead letters on NATS', () => {
  let nats: TestNats;
  let nc: NatsConnection;
  let work: string;
  const prefix = `dl${Date.now().toString(36)}`;
  const t = topology(prefix);
  let validator: CliProcess;
  let sink: CliProcess;

  beforeAll(async () => {
    nats = await startNats();
    nc = await connectNats({ servers: nats.url, name: 'dead-letters-test', waitOnFirstConnect: false });
    work = mkdtempSync(join(tmpdir(), 'cctap-dlq-'));
  }, 30_000);

  afterAll(async () => {
    await sink?.kill9().catch(() => undefined);
    await validator?.kill9().catch(() => undefined);
    await nc?.close();
    await nats?.dispose();
    rmSync(work, { recursive: true, force: true });
  });

  it('a message the store refuses is kept with its payload, listed, shown, and replayed after the fix', async () => {
    const natsArgs = ['--nats', nats.url, '--prefix', prefix];
    const data = join(work, 'store');
    await provisionPipeline(nats.url, prefix, { maxBytes: 64 * 1024 ** 2 });
    await alterEvents(data, `ADD CONSTRAINT refuse_poison CHECK host != '${POISON_HOST}'`);

    const common = [...natsArgs, '--metrics-port', '0', '--metrics-host', '127.0.0.1'];
    validator = cliProcess({ name: 'validator', command: 'validator', args: common, logDir: work });
    sink = cliProcess({ name: 'sink', command: 'sink', args: [...common, '--data', data], logDir: work });
    await Promise.all([validator.start(), sink.start()]);

    const poison = batchOf(1, { host: POISON_HOST, fileId: 'feedfacefeedface' });
    const eventId = poison.events[0]!.id;
    const js = (await jetstreamManager(nc)).jetstream();
    await js.publish(t.subjects.raw(POISON_HOST), encodeBatch(poison), {
      msgID: batchMsgId(POISON_HOST, 'feedfacefeedface', 0, 100),
    });

    // Kept by the forwarder (and counted there), with the original payload.
    const jsm = await jetstreamManager(nc);
    await waitFor(
      'a dead letter in CCTAP_DLQ',
      async () => (await jsm.streams.info(t.stream('dlq'))).state.messages === 1,
      30_000,
      100,
      () => sink.logTail(),
    );
    const metrics = await waitFor(
      'cctap_dead_letters_total on the validator',
      async () => {
        const text = await validator.metrics();
        return metricValue(text, 'cctap_dead_letters_total') === 1 ? text : undefined;
      },
      30_000,
      100,
      () => validator.logTail(),
    );
    expect(metrics).toMatch(/cctap_dead_letters_total\{[^}]*consumer="sink-events"[^}]*kind="terminated"[^}]*\} 1/);

    // The three reads side by side: one dead letter, whose id is its CCTAP_DLQ sequence.
    const id = String((await jsm.streams.info(t.stream('dlq'))).state.last_seq);
    const [list, table, show] = await Promise.all([
      cli(['dlq', 'list', ...natsArgs, '--json'], {}, 30_000),
      cli(['dlq', 'list', ...natsArgs], {}, 30_000),
      cli(['dlq', 'show', id, ...natsArgs], {}, 30_000),
    ]);
    expect(list.code, list.stderr).toBe(0);
    const letters = JSON.parse(list.stdout) as Record<string, unknown>[];
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({
      id,
      consumer: 'sink-events',
      kind: 'terminated',
      stream: t.stream('events'),
      subject: t.subjects.events(POISON_HOST),
      reason: expect.stringMatching(/^terminated: rows rejected by ClickHouse/),
    });
    // The size is the original's, which show prints in full.
    expect(show.stdout).toContain(`payload (${String(letters[0]!.size)} bytes, JSON):`);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(
      new RegExp(
        `^${id}\\s.*sink-events\\s+terminated\\s+${t.subjects.events(POISON_HOST).replace(/\./g, '\\.')}\\s`,
        'm',
      ),
    );

    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toMatch(/payload \(\d+ bytes, JSON\):/);
    expect(show.stdout).toContain(`"id": "${eventId}"`);
    expect(show.stdout).toMatch(/reason\s+terminated: rows rejected by ClickHouse/);

    // The fix: the store accepts the rows again.
    expect(await sink.stop()).toBe(0);
    await alterEvents(data, 'DROP CONSTRAINT refuse_poison');
    await sink.start();

    const replay = await cli(['dlq', 'replay', id, ...natsArgs], {}, 30_000);
    expect(replay.code, replay.stderr).toBe(0);
    const replayedSeq = Number(/\(\S+ seq (\d+)\)/.exec(replay.stdout)?.[1]);
    expect(replayedSeq).toBeGreaterThan(0);
    const replayed = await jsm.streams.getMessage(t.stream('events'), { seq: replayedSeq });
    expect(replayed?.header?.get('Nats-Msg-Id')).toMatch(/^replay-/);

    await waitFor(
      'the sink to acknowledge the replayed message',
      async () =>
        (await jsm.consumers.info(t.stream('events'), t.consumer('sink-events'))).ack_floor.stream_seq >= replayedSeq,
      30_000,
      100,
      () => sink.logTail(),
    );
    expect((await jsm.streams.info(t.stream('dlq'))).state.messages).toBe(0);

    // Once replayed, the dead letter is gone (side by side with reading the store).
    const [again, rows] = await Promise.all([
      cli(['dlq', 'replay', id, ...natsArgs], {}, 30_000),
      sink.stop().then(async (code) => {
        expect(code).toBe(0);
        return sqlJson<{ n: string | number }>(data, `SELECT count() AS n FROM events WHERE host = '${POISON_HOST}'`);
      }),
    ]);
    expect(again.code).toBe(1);
    expect(again.stderr.trim()).toBe(
      `cctap dlq: no dead letter ${id} in ${t.stream('dlq')} (replayed already, or never there)`,
    );
    expect(Number(rows[0]!.n)).toBe(1);
  }, 150_000);

  it("cctap up's dead letters: list and show read <data>/dead-letters.jsonl; replay says it needs NATS", async () => {
    const data = mkdtempSync(join(work, 'up-'));
    const line = {
      at: '2026-03-01T10:00:00.000Z',
      consumer: 'sink-events',
      stream: 'CCTAP_EVENTS',
      subject: 'cctap.events.host-a.3',
      seq: 7,
      deliveries: 1,
      kind: 'terminated',
      reason: 'terminated: rows rejected by ClickHouse: no',
      data: '{"events":[]}',
    };
    writeFileSync(join(data, 'dead-letters.jsonl'), `${JSON.stringify(line)}\n`);
    const [list, show, replay] = await Promise.all([
      cli(['dlq', 'list', '--data', data, '--json'], {}, 30_000),
      cli(['dlq', 'show', '1', '--data', data], {}, 30_000),
      cli(['dlq', 'replay', '--all', '--data', data], {}, 30_000),
    ]);
    expect(list.code, list.stderr).toBe(0);
    expect(JSON.parse(list.stdout)).toEqual([
      {
        id: '1',
        at: line.at,
        stream: 'CCTAP_EVENTS',
        seq: 7,
        consumer: 'sink-events',
        kind: 'terminated',
        subject: line.subject,
        deliveries: 1,
        size: line.data.length,
        reason: line.reason,
      },
    ]);
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toContain('payload (13 bytes, JSON):\n{\n  "events": []\n}');
    expect(replay.code).toBe(1);
    expect(replay.stderr.trim()).toBe(
      `cctap dlq: replay needs the NATS pipeline (--nats URL); cctap up keeps its dead letters in ${join(data, 'dead-letters.jsonl')}, where list and show read them`,
    );
  }, 60_000);
});
