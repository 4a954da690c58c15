/**
 * Builds a Bus for the shared contract suite: JetStream (real nats-server, fresh topology prefix per test,
 * provisioned with short ack waits) or in-process.
 */
import { randomBytes } from 'node:crypto';
import { topology, type Topology } from '@cctap/events';
import {
  connectNats,
  createInProcessBus,
  createJetStreamBus,
  provision,
  startDeadLetterForwarder,
  type Bus,
  type Subscription,
} from '@cctap/kit';
import type { NatsConnection } from '@nats-io/transport-node';
import type { TestNats } from '../support/nats.js';

export const MAX_DELIVER = 3;

export interface BusHarness {
  bus: Bus;
  t: Topology;
  close(): Promise<void>;
}

export type BusFactory = () => Promise<BusHarness>;

export function inProcessFactory(): BusFactory {
  return async () => {
    const t = topology(`t${randomBytes(4).toString('hex')}`);
    const bus = createInProcessBus({ topology: t, maxDeliver: MAX_DELIVER });
    return { bus, t, close: () => bus.close() };
  };
}

export function jetStreamFactory(getNats: () => TestNats): BusFactory {
  return async () => {
    const prefix = `t${randomBytes(4).toString('hex')}`;
    const t = topology(prefix);
    const nc: NatsConnection = await connectNats({
      servers: getNats().url,
      name: `bus-contract-${prefix}`,
      waitOnFirstConnect: false,
    });
    await provision(nc, { prefix, maxBytes: 32 * 1024 * 1024, maxDeliver: MAX_DELIVER, ackWaitMs: 2000 });
    const bus = createJetStreamBus(nc, { topology: t });
    const forwarder: Subscription = startDeadLetterForwarder({ nc, bus, topology: t });
    return {
      bus,
      t,
      async close() {
        await forwarder.stop();
        await bus.close();
        await nc.close();
      },
    };
  };
}
