/**
 * The NATS connection as a runner service: ready while connected, stopped last (it was started first)
 * with a drain, so acks and publishes of the services above it are flushed before the socket closes.
 *
 * Given the bus, also not ready while JetStream refuses its publishes for lack of storage: the server's own
 * /healthz stays ok with a full store, so this is where a full disk becomes visible to the orchestrator.
 */
import type { NatsConnection } from '@nats-io/transport-node';
import type { StorageRefusal } from '../bus/storage-refusal.js';
import type { Service } from '../runtime/service.js';

export function natsService(nc: NatsConnection, bus?: { storageRefusal(): StorageRefusal | null }): Service {
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
    health: () => {
      const refused = bus?.storageRefusal() ?? null;
      return {
        ready: connected && !nc.isClosed() && !nc.isDraining() && !refused,
        details: { server: nc.getServer(), ...(refused ? { storageRefused: refused } : {}) },
      };
    },
  };
}
