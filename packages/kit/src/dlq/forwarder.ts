/**
 * The dead-letter forwarder: JetStream leaves a message that hit max_deliver (or was term()'d) in its
 * stream and only publishes an advisory. The advisories stream stores those advisories; this durable
 * consumer reads each one, fetches the original message by stream sequence and republishes it to
 * `<root>.dlq.<consumer>` with its origin in headers (DLQ_HEADERS) and the original's own headers.
 *
 * One durable pull consumer (`dlq-forwarder`) is shared by every process that runs this (the validator's
 * replicas): the server hands each advisory to one of them. The republish uses msg id
 * `<stream>:<seq>:<consumer>` (deadLetterMsgId) so a re-run (crash before the ack) does not duplicate it;
 * the consumer is part of the id because two consumers may dead-letter the same message.
 *
 * When the original is already gone:
 * - terminated: the consumer's bus published the same dead letter (same msg id) before its term
 *   (jetstream-bus.ts, keepBeforeTerm), because a term frees the message of an interest stream (raw) at
 *   once; nothing more is published, the dead letter is only counted.
 * - max deliveries: it expired (max_age, or max_bytes discarding old) before the advisory was read; the
 *   dead letter is still recorded, with an empty body and a reason saying so, so the loss is visible.
 *
 * A message that hit max_deliver in an interest-retention stream (raw) stays there, with the consumer's ack floor
 * past it: nothing would ever remove it. Once its dead letter is stored it is deleted when that consumer is the
 * stream's only one (a second, say a mirror an operator added, may still want it), which frees its bytes
 * and keeps "stored below every ack floor" meaning "never handled" for the stranded-message sweep
 * (consumer/stranded-sweep.ts).
 */
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { CONSUMERS, deadLetterMsgId, type Topology } from '@cctap/events';
import { DLQ_HEADERS, type Bus, type Subscription } from '../bus/bus.js';
import { PermanentError, RetryableError } from '../errors.js';
import { isJetStreamNotFound, isNoMessageFound } from '../nats/nats-errors.js';
import { silentLogger, type Logger } from '../log/logger.js';
import type { Metrics } from '../metrics/registry.js';
import type { NatsConnection } from '@nats-io/transport-node';

interface Advisory {
  type?: string;
  stream?: string;
  consumer?: string;
  stream_seq?: number;
  deliveries?: number;
  reason?: string;
}

export interface ForwarderOptions {
  nc: NatsConnection;
  bus: Bus;
  topology: Topology;
  logger?: Logger;
  metrics?: Metrics;
}

const KINDS = ['max_deliveries', 'terminated'] as const;

/** The consumer key a durable name belongs to (drops the topology prefix). */
function consumerKeyOf(t: Topology, durable: string): string {
  return t.prefix && durable.startsWith(`${t.prefix}-`) ? durable.slice(t.prefix.length + 1) : durable;
}

/** Headers of the original worth keeping: not the server's (`Nats-*`, the msg id among them) nor ours. */
function keptHeaders(h: { keys(): string[]; get(k: string): string } | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!h) return out;
  for (const k of h.keys()) if (!/^nats-/i.test(k) && !/^cctap-dlq-/i.test(k)) out[k] = h.get(k);
  return out;
}

export function startDeadLetterForwarder(o: ForwarderOptions): Subscription {
  const log = (o.logger ?? silentLogger).child({ component: 'dlq-forwarder' });
  const forwarded = o.metrics?.counter('cctap_dead_letters_total', 'Messages moved to the dead-letter stream', [
    'consumer',
    'kind',
  ]);
  // Every series starts at 0: Prometheus' increase() sees nothing in a series whose first sample is already 1,
  // so without this the first dead letter of a consumer after a restart would never raise CctapDeadLetters.
  for (const consumer of Object.keys(CONSUMERS))
    if (consumer !== 'dlq-forwarder') for (const kind of KINDS) forwarded?.inc({ consumer, kind }, 0);
  let jsm: JetStreamManager | null = null;
  /** An interest stream whose only consumer is the one that gave up: nobody else will ever take the message. */
  const onlyInterest = async (m: JetStreamManager, stream: string): Promise<boolean> => {
    const info = await m.streams.info(stream);
    return info.config.retention === 'interest' && info.state.consumer_count === 1;
  };
  return o.bus.consume('dlq-forwarder', async (msg) => {
    let adv: Advisory;
    try {
      adv = JSON.parse(new TextDecoder().decode(msg.data)) as Advisory;
    } catch {
      throw new PermanentError('advisory is not JSON');
    }
    if (!adv.stream || !adv.consumer || typeof adv.stream_seq !== 'number')
      throw new PermanentError('advisory without stream, consumer or stream_seq');
    const kind = msg.subject.includes('.MAX_DELIVERIES.') ? 'max_deliveries' : 'terminated';
    jsm ??= await jetstreamManager(o.nc);
    // Gone (null) only when the server says so; any other failure (a timeout) is retried, not recorded as a
    // dead letter without its payload.
    const original = await jsm.streams.getMessage(adv.stream, { seq: adv.stream_seq }).catch((err: unknown) => {
      if (isJetStreamNotFound(err)) return null;
      throw new RetryableError('cannot read the original of a dead letter', { cause: err });
    });
    const key = consumerKeyOf(o.topology, adv.consumer);
    const reason =
      kind === 'max_deliveries'
        ? `max deliveries (${adv.deliveries ?? '?'}) reached`
        : `terminated${adv.reason ? `: ${adv.reason}` : ''}`;
    if (original || kind === 'max_deliveries') {
      const headers: Record<string, string> = {
        ...keptHeaders(original?.header),
        [DLQ_HEADERS.stream]: adv.stream,
        [DLQ_HEADERS.subject]: original?.subject ?? '',
        [DLQ_HEADERS.seq]: String(adv.stream_seq),
        [DLQ_HEADERS.deliveries]: String(adv.deliveries ?? 0),
        [DLQ_HEADERS.reason]: original ? reason : `${reason}; original no longer in the stream`,
        [DLQ_HEADERS.consumer]: key,
      };
      await o.bus.publish(o.topology.subjects.dlq(key), original?.data ?? new Uint8Array(), {
        msgId: deadLetterMsgId(adv.stream, adv.stream_seq, key),
        headers,
      });
      if (original && kind === 'max_deliveries' && (await onlyInterest(jsm, adv.stream)))
        await jsm.streams.deleteMessage(adv.stream, adv.stream_seq, false).catch((err: unknown) => {
          if (!isNoMessageFound(err))
            throw new RetryableError('cannot remove a dead letter from its stream', { cause: err });
        });
    }
    forwarded?.inc({ consumer: key, kind });
    log.warn('dead letter', { stream: adv.stream, seq: adv.stream_seq, consumer: key, kind, reason });
  });
}
