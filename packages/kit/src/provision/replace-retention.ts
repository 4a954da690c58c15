/**
 * A stream whose retention must change (CCTAP_RAW provisioned by older versions with limits retention; it is
 * interest now, see desired.ts). nats-server refuses to change retention in place, so the stream is replaced,
 * and that is only done when it loses nothing: when every consumer of the stream has acknowledged everything
 * in it. What limits retention kept after that was consumed history, already in CCTAP_EVENTS.
 *
 *   1. every consumer drained? If not, stop with one line saying to let the validator catch up first;
 *   2. take the stream off its subjects, so a collector publishing now is refused and retries (its checkpoint
 *      does not move) instead of landing in a stream about to go;
 *   3. check again (a batch may have landed between 1 and 2); not drained: put the subjects back and stop;
 *   4. delete it and create it with the new retention, consumers before subjects (create-stream.ts).
 */
import type { ConsumerConfig, ConsumerInfo, JetStreamManager, StreamConfig, StreamInfo } from '@nats-io/jetstream';
import { ConfigError } from '../errors.js';
import { createStreamWithConsumers } from './create-stream.js';

async function consumersOf(jsm: JetStreamManager, stream: string): Promise<ConsumerInfo[]> {
  const out: ConsumerInfo[] = [];
  for await (const c of jsm.consumers.list(stream)) out.push(c);
  return out;
}

/** One line saying why the stream cannot be replaced yet; null when nothing in it is unconsumed. */
async function undrained(jsm: JetStreamManager, info: StreamInfo): Promise<string | null> {
  const name = info.config.name;
  const consumers = await consumersOf(jsm, name);
  const behind = consumers.find((c) => c.num_pending > 0 || c.num_ack_pending > 0);
  if (behind) {
    const n = behind.num_pending + behind.num_ack_pending;
    return `${name} has ${info.config.retention} retention (made by an older cctap) and its consumer ${behind.name} has ${n} messages left to process; let it catch up (start the validator), then run cctap provision again`;
  }
  const state = (await jsm.streams.info(name)).state;
  if (consumers.length === 0 && state.messages > 0) {
    return `${name} has ${info.config.retention} retention (made by an older cctap) and ${state.messages} messages no consumer has read; run cctap provision on an empty stream (nats stream rm ${name}, if those batches are not needed)`;
  }
  return null;
}

export async function replaceRetention(
  jsm: JetStreamManager,
  info: StreamInfo,
  want: Partial<StreamConfig> & { name: string },
  consumers: readonly Partial<ConsumerConfig>[],
): Promise<void> {
  const name = info.config.name;
  const first = await undrained(jsm, info);
  if (first) throw new ConfigError(first);
  await jsm.streams.update(name, { ...info.config, subjects: [`_cctap_unbound.${name.toLowerCase()}`] });
  const again = await undrained(jsm, info);
  if (again) {
    await jsm.streams.update(name, info.config);
    throw new ConfigError(again);
  }
  await jsm.streams.delete(name);
  await createStreamWithConsumers(jsm, want, consumers);
}
