/**
 * The NATS connection as a runner service: ready while connected, stopped last (it was started first)
 * with a drain, so acks and publishes of the services above it are flushed before the socket closes.
 */
import type { NatsConnection } from '@nats-io/transport-node';
import type { Service } from '../runtime/service.js';

export function natsService(nc: NatsConnection): Service {
  let connected = true;
  void (async () => {
    for await (const s of nc.status()) {
      if (s.type === 'disconnect') connected = false;
      else if (s.type === 'reconnect') connected = true;
    }
  })().catch(() => undefined);
  return {
    name: 'nats',
    async start() {},
    async stop() {
      if (!nc.isClosed()) await nc.drain().catch(() => nc.close());
    },
    health: () => ({ ready: connected && !nc.isClosed() && !nc.isDraining(), details: { server: nc.getServer() } }),
  };
}
