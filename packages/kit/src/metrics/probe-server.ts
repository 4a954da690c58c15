/**
 * The small HTTP server every service exposes: `/livez` (the process answers), `/readyz` (dependencies
 * connected and not draining; 503 with details otherwise), `/metrics` (Prometheus text format).
 *
 * A command binds it before it connects to anything, so a taken port fails at once (PortInUseError: one
 * line, nothing else opened yet) and /livez answers while the process waits for NATS or ClickHouse.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PortInUseError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import type { Metrics } from './registry.js';

export interface Health {
  ready: boolean;
  details?: Record<string, unknown>;
}

export interface ProbeServer {
  port: number;
  /** Where /readyz reads from from now on (the runner's, once it runs the services). */
  setHealth(health: () => Health): void;
  close(): Promise<void>;
}

/** Before any service runs: alive, not ready. */
const STARTING: Health = { ready: false, details: { state: 'starting' } };

export async function startProbeServer(o: {
  port: number;
  host?: string;
  metrics: Metrics;
  health?: () => Health;
  logger?: Logger;
}): Promise<ProbeServer> {
  let health = o.health ?? (() => STARTING);
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/livez') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    } else if (path === '/readyz') {
      const h = health();
      res.writeHead(h.ready ? 200 : 503, { 'content-type': 'application/json' }).end(`${JSON.stringify(h)}\n`);
    } else if (path === '/metrics') {
      o.metrics.registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': o.metrics.registry.contentType }).end(text),
        (err: unknown) => res.writeHead(500).end(String(err)),
      );
    } else {
      res.writeHead(404).end();
    }
  });
  const host = o.host ?? '0.0.0.0';
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'EADDRINUSE'
          ? new PortInUseError(
              `--metrics-port ${o.port}: port ${o.port} on ${host} is already in use (another cctap, or another program); pass --metrics-port 0 for a free port, or another port`,
              { cause: err },
            )
          : err,
      ),
    );
    server.listen(o.port, host, () => resolve());
  });
  const { port, address } = server.address() as AddressInfo;
  o.logger?.info('probe server listening', { port, host: address, paths: ['/livez', '/readyz', '/metrics'] });
  return {
    port,
    setHealth: (h) => {
      health = h;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
