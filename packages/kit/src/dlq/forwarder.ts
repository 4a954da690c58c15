/**
 * The dead-letter forwarder: JetStream leaves a message that hit max_deliver (or was term()'d) in its
 * stream and only publishes an advisory. The advisories stream stores those advisories; this durable
 * consumer reads each one, fetches the original message by stream sequence and republishes it to
 * `<root>.dlq.<consumer>` with its origin in headers (DLQ_HEADERS).
 *
 * The republish uses msg id `<stream>:<seq>:<consumer>` so a re-run (crash before the ack) does not
 * duplicate it; the consumer is part of the id because two consumers may dead-letter the same message.
 * An original that is gone (expired before we got to it) is still recorded, with an empty body.
 */
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { deadLetterMsgId, type Topology } from '@cctap/events';
import { DLQ_HEADERS, type Bus, type Subscription } from '../bus/bus.js';
import { PermanentError } from '../errors.js';
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

/** The consumer key a durable name belongs to (drops the topology prefix). */
function consumerKeyOf(t: Topology, durable: string): string {
  return t.prefix && durable.startsWith(`${t.prefix}-`) ? durable.slice(t.prefix.length + 1) : durable;
}

export function startDeadLetterForwarder(o: ForwarderOptions): Subscription {
  const log = (o.logger ?? silentLogger).child({ component: 'dlq-forwarder' });
  const forwarded = o.metrics?.counter('cctap_dead_letters_total', 'Messages moved to the dead-letter stream', [
    'consumer',
    'kind',
  ]);
  let jsm: JetStreamManager | null = null;
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
    const original = await jsm.streams.getMessage(adv.stream, { seq: adv.stream_seq }).catch(() => null);
    const key = consumerKeyOf(o.topology, adv.consumer);
    const reason =
      kind === 'max_deliveries'
        ? `max deliveries (${adv.deliveries ?? '?'}) reached`
        : `terminated${adv.reason ? `: ${adv.reason}` : ''}`;
    const headers: Record<string, string> = {
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
    forwarded?.inc({ consumer: key, kind });
    log.warn('dead letter', { stream: adv.stream, seq: adv.stream_seq, consumer: key, reason });
  });
}
