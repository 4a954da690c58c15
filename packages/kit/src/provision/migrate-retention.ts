/**
 * Moving a stream to another retention policy, which nats-server refuses to change in place.
 *
 * Why: CCTAP_RAW was first provisioned with limits retention and DiscardNew. Limits retention never frees a
 * message its one consumer (the validator) acknowledged, so after `max_bytes` of traffic (20 GiB, about a
 * week for a team) the stream refuses every publish and every collector stops, although all of it was
 * consumed. Interest retention frees a message once the validator acknowledges it, so `max_bytes` bounds
 * the backlog instead of the history. (Not work-queue retention: it allows one unfiltered consumer only, and
 * a mirror or source an operator adds for backup counts as one, so after a server restart the validator's
 * own consumer is refused, "multiple non-filtered consumers not allowed on workqueue stream", and raw stops
 * flowing; reproduced on nats-server 2.9.10.)
 *
 * How, without losing a message at any step (each one durable in JetStream before the next starts):
 *   1. seal the stream: from here every publish is refused, and collectors retry (their checkpoints hold);
 *   2. copy every message the consumer has not acknowledged yet (after its ack floor), headers included, into
 *      a holding stream `<name>_MIGRATION` (subject `<holding>.<seq>`, original subject in a header);
 *   3. delete the stream (and so its consumers) and create it with the desired configuration and its consumers
 *      (create-stream.ts: consumers before subjects, so nothing lands unwatched);
 *   4. publish the held messages again on their original subjects with their original headers, then delete
 *      the holding stream. A re-send the validator already handled is dropped downstream by its message id.
 * A crash in between leaves either the sealed stream or the holding stream: running provision again resumes
 * (a sealed stream is taken as "step 1 done"; a holding stream left over is replayed and removed).
 */
import { DiscardPolicy, jetstream, RetentionPolicy, StorageType, type ConsumerConfig, type JetStreamManager, type StreamConfig } from '@nats-io/jetstream';
import { headers as natsHeaders, type NatsConnection } from '@nats-io/transport-node';
import { createStreamWithConsumers } from './create-stream.js';

export interface RetentionMigration {
  /** Messages carried over (not yet acknowledged by the consumer when the stream was sealed). */
  copied: number;
  from: string;
  to: string;
}

const ORIGINAL_SUBJECT = 'Cctap-Migrated-Subject';
const ORIGINAL_MSG_ID = 'Cctap-Migrated-Msg-Id';

const holdingName = (stream: string) => `${stream}_MIGRATION`;
const holdingSubject = (stream: string) => `_cctap_migration.${stream.toLowerCase()}`;

async function exists(jsm: JetStreamManager, name: string): Promise<boolean> {
  return jsm.streams.info(name).then(
    () => true,
    () => false,
  );
}

/** Republishes what a holding stream keeps onto the original subjects, then removes it. */
async function replayHolding(nc: NatsConnection, jsm: JetStreamManager, stream: string): Promise<number> {
  const holding = holdingName(stream);
  if (!(await exists(jsm, holding))) return 0;
  const js = jetstream(nc);
  const info = await jsm.streams.info(holding);
  let n = 0;
  for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
    const m = await jsm.streams.getMessage(holding, { seq }).catch(() => null);
    if (!m) continue;
    const h = natsHeaders();
    let subject = '';
    if (m.header) {
      for (const k of m.header.keys()) {
        if (k === ORIGINAL_SUBJECT) subject = m.header.get(k);
        else if (k === ORIGINAL_MSG_ID) h.set('Nats-Msg-Id', m.header.get(k));
        else h.set(k, m.header.get(k));
      }
    }
    if (!subject) continue;
    await js.publish(subject, m.data, { headers: h });
    n += 1;
  }
  await jsm.streams.delete(holding);
  return n;
}

export async function migrateRetention(
  nc: NatsConnection,
  jsm: JetStreamManager,
  current: StreamConfig,
  want: Partial<StreamConfig>,
  consumers: readonly Partial<ConsumerConfig>[],
): Promise<RetentionMigration> {
  // The ack floor that matters is the first consumer's (CCTAP_RAW has one: the validator).
  const consumer = consumers[0]?.durable_name ?? '';
  const name = current.name;
  const holding = holdingName(name);
  // `sealed` is a stream setting since nats-server 2.6.2; the client's update type leaves it out.
  if (!current.sealed) await jsm.streams.update(name, { ...current, sealed: true } as Parameters<JetStreamManager['streams']['update']>[1]);
  const floor = await jsm.consumers.info(name, consumer).then(
    (c) => c.ack_floor.stream_seq,
    () => 0, // no consumer: nothing was acknowledged, keep everything
  );
  const js = jetstream(nc);
  if (await exists(jsm, holding)) await jsm.streams.delete(holding); // a copy interrupted before the delete below: copy again
  await jsm.streams.add({
    name: holding,
    subjects: [`${holdingSubject(name)}.*`],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    discard: DiscardPolicy.New,
    num_replicas: current.num_replicas,
  });
  const info = await jsm.streams.info(name);
  for (let seq = Math.max(floor + 1, info.state.first_seq); seq <= info.state.last_seq; seq++) {
    const m = await jsm.streams.getMessage(name, { seq }).catch(() => null);
    if (!m) continue;
    const h = natsHeaders();
    if (m.header) for (const k of m.header.keys()) h.set(k, m.header.get(k));
    h.set(ORIGINAL_SUBJECT, m.subject);
    // The holding stream has no duplicate window worth the name: a message id must not drop a copy here.
    h.delete('Nats-Msg-Id');
    if (m.header?.has('Nats-Msg-Id')) h.set(ORIGINAL_MSG_ID, m.header.get('Nats-Msg-Id'));
    await js.publish(`${holdingSubject(name)}.${seq}`, m.data, { headers: h });
  }
  await jsm.streams.delete(name);
  await createStreamWithConsumers(jsm, { ...want, name }, consumers);
  const copied = await replayHolding(nc, jsm, name);
  return { copied, from: String(current.retention), to: String(want.retention) };
}

/** A holding stream left by an interrupted migration is replayed into `stream` (which exists again). */
export async function finishInterruptedMigration(nc: NatsConnection, jsm: JetStreamManager, stream: string): Promise<number> {
  return replayHolding(nc, jsm, stream);
}
