/**
 * The shape every central service command shares: configuration already parsed (with the kit's base and NATS
 * fields), then logger -> metrics -> probe server (bound first: a taken --metrics-port fails at once, and
 * /livez answers while NATS is awaited) -> NATS connection (waits for ever, saying so) -> JetStream bus ->
 * the service's own parts -> the runner (SIGTERM: stop in reverse order, the connection drains last).
 */
import { hostname } from 'node:os';
import { topology, type Topology } from '@cctap/events';
import {
  connectNats,
  createJetStreamBus,
  createLogger,
  createMetrics,
  natsOptionsFromConfig,
  natsService,
  redactConfig,
  runServices,
  startProbeServer,
  type Bus,
  type LogFormat,
  type Logger,
  type LogLevel,
  type Metrics,
  type NatsConfigFields,
  type Service,
} from '@cctap/kit';

export interface ServiceCommandConfig extends NatsConfigFields {
  logLevel: LogLevel;
  logFormat: LogFormat;
  metricsPort: number;
  metricsHost: string;
  shutdownTimeoutMs: number;
  prefix: string;
}

/** The connection type, as the kit gives it (the CLI does not depend on the NATS client package itself). */
export type NatsConnection = Awaited<ReturnType<typeof connectNats>>;

export interface ServiceContext {
  nc: NatsConnection;
  bus: Bus;
  topology: Topology;
  logger: Logger;
  metrics: Metrics;
}

/**
 * Starts a service against NATS and resolves with the exit code once it has stopped. `build` returns the
 * service's parts in start order; they stop in reverse order, before the connection drains.
 */
export async function runNatsServiceCommand(
  name: string,
  cfg: ServiceCommandConfig & Record<string, unknown>,
  build: (ctx: ServiceContext) => Promise<Service[]>,
): Promise<number> {
  const logger = createLogger({ service: name, level: cfg.logLevel, format: cfg.logFormat });
  logger.info('config', redactConfig(cfg));
  const metrics = createMetrics(name);
  const t = topology(cfg.prefix || undefined);
  const probe = await startProbeServer({ port: cfg.metricsPort, host: cfg.metricsHost, metrics, logger });
  let nc: NatsConnection | null = null;
  let parts: Service[];
  let bus: ReturnType<typeof createJetStreamBus>;
  try {
    nc = await connectNats({ ...natsOptionsFromConfig(cfg, `cctap-${name}@${hostname()}`), logger, metrics });
    bus = createJetStreamBus(nc, { topology: t, logger, metrics });
    parts = await build({
      nc,
      bus,
      topology: t,
      logger,
      metrics,
    });
  } catch (err) {
    await nc?.close();
    await probe.close();
    throw err;
  }
  const running = await runServices({
    services: [natsService(nc, bus), ...parts],
    logger,
    metrics,
    probe,
    shutdownTimeoutMs: cfg.shutdownTimeoutMs,
  });
  return running.done;
}
