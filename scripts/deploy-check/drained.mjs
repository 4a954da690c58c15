/**
 * "The pipeline has finished": every durable consumer of every stream has nothing pending and nothing
 * unacknowledged, several reads in a row (each service publishes downstream before it acks, so an idle
 * upstream consumer read before its downstream one cannot hide work in flight).
 */
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { consumerLagReader } from '@cctap/kit';
import { CheckError, waitFor } from './run.mjs';

export async function waitUntilDrained(natsUrl, timeoutMs) {
  const nc = await connect({ servers: natsUrl, name: 'cctap-deploy-check' });
  try {
    const jsm = await jetstreamManager(nc);
    const lag = consumerLagReader(nc);
    let idleReads = 0;
    let consumers = 0;
    let busy = [];
    await waitFor('every JetStream consumer idle', timeoutMs, async () => {
      busy = [];
      consumers = 0;
      for await (const stream of jsm.streams.list()) {
        for await (const c of jsm.consumers.list(stream.config.name)) {
          // Only the pipeline's durable consumers: KV watchers are ordered consumers whose counts never settle.
          if (!c.config.durable_name) continue;
          consumers++;
          const l = await lag(stream.config.name, c.name);
          if (l.pending + l.ackPending > 0) busy.push(`${c.name} ${l.pending} pending, ${l.ackPending} unacked`);
        }
      }
      idleReads = busy.length === 0 ? idleReads + 1 : 0;
      return idleReads >= 3;
    }).catch((err) => {
      throw new CheckError(`${err.message}; busy: ${busy.join('; ')}`);
    });
    return consumers;
  } finally {
    await nc.close();
  }
}
