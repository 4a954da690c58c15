/**
 * "The pipeline has finished": every durable consumer of every stream has nothing pending and nothing
 * unacknowledged, several reads in a row (each service publishes downstream before it acks, so an idle
 * upstream consumer read before its downstream one cannot hide work in flight).
 */
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { consumerLagReader } from '@cctap/kit';
import { waitFor } from './run.mjs';

export async function waitUntilDrained(natsUrl, timeoutMs) {
  const nc = await connect({ servers: natsUrl, name: 'cctap-deploy-check' });
  try {
    const jsm = await jetstreamManager(nc);
    const lag = consumerLagReader(nc);
    let idleReads = 0;
    let consumers = 0;
    await waitFor('every JetStream consumer idle', timeoutMs, async () => {
      let busy = 0;
      consumers = 0;
      for await (const stream of jsm.streams.list()) {
        for await (const c of jsm.consumers.list(stream.config.name)) {
          consumers++;
          const l = await lag(stream.config.name, c.name);
          busy += l.pending + l.ackPending;
        }
      }
      idleReads = busy === 0 ? idleReads + 1 : 0;
      return idleReads >= 3;
    });
    return consumers;
  } finally {
    await nc.close();
  }
}
