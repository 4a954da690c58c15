/**
 * Runs a list of services for one process.
 *
 *   starting  -> services start in order; the probe server is up first (/livez ok, /readyz 503): started
 *                here, or handed over already listening (a command binds it before it connects anything)
 *   running   -> /readyz is 200 while every service reports ready
 *   stopping  -> on SIGTERM/SIGINT (or stop()): /readyz 503 at once, services stop in reverse order (each
 *                stops pulling, drains, flushes, closes), then the probe server closes; a hard deadline
 *                (unref'd timer) ends the process if that takes too long (see hardStop)
 *   stopped   -> `done` resolves with the exit code (0, or 1 when a stop failed)
 * uncaughtException / unhandledRejection: logged, then exit 1 at once; redelivery covers what was in flight.
 */
import type { Logger } from '../log/logger.js';
import type { Metrics } from '../metrics/registry.js';
import { startProbeServer, type ProbeServer } from '../metrics/probe-server.js';
import type { Service } from './service.js';

export interface RunnerOptions {
  services: Service[];
  logger: Logger;
  metrics: Metrics;
  /** Where to start the probe server, unless `probe` is given. */
  metricsPort?: number;
  metricsHost?: string;
  /** A probe server already listening (startProbeServer); the runner serves its health and closes it. */
  probe?: ProbeServer;
  shutdownTimeoutMs: number;
  /** Install SIGTERM/SIGINT and crash handlers (default true; tests that run several runners pass false). */
  handleSignals?: boolean;
}

export interface Running {
  /** Resolves with the process exit code once everything stopped. */
  done: Promise<number>;
  stop(reason: string): Promise<number>;
  probe: ProbeServer;
}

/**
 * The end of a stop that missed its deadline. Not process.exit: that joins every worker thread, and a thread
 * inside a native call that does not return (the embedded engine on a full disk, seen in CI) holds the exit
 * for ever, which is the hang the deadline is there to prevent. SIGKILL cannot be held up; nothing is lost
 * by it that a graceful stop would have kept (checkpoints only move over acknowledged work, logs are written
 * synchronously), and supervisors restart a killed process as they restart a failed one.
 */
function hardStop(): never {
  process.kill(process.pid, 'SIGKILL');
  throw new Error('unreachable: SIGKILL did not end the process');
}

export async function runServices(o: RunnerOptions): Promise<Running> {
  const log = o.logger;
  let state: 'starting' | 'running' | 'stopping' = 'starting';
  const started: Service[] = [];
  const health = () => {
    const details = Object.fromEntries(o.services.map((s) => [s.name, s.health()]));
    return {
      ready: state === 'running' && Object.values(details).every((h) => h.ready),
      details: { state, ...details },
    };
  };
  let probe: ProbeServer;
  if (o.probe) {
    probe = o.probe;
    probe.setHealth(health);
  } else {
    if (o.metricsPort === undefined) throw new Error('runServices needs metricsPort or probe');
    probe = await startProbeServer({
      port: o.metricsPort,
      host: o.metricsHost,
      metrics: o.metrics,
      logger: log,
      health,
    });
  }

  let resolveDone!: (code: number) => void;
  const done = new Promise<number>((r) => (resolveDone = r));
  let stopping: Promise<number> | null = null;
  // A stop asked for while services are still starting waits for the one starting now, and no later one
  // starts: stopping only what had started by then left a service that finished starting afterwards
  // running (a collector's watchers kept the process alive after a SIGTERM right after start).
  let startSettled!: () => void;
  const starting = new Promise<void>((r) => (startSettled = r));
  const stopRequested = (): boolean => stopping !== null;

  const stop = (reason: string): Promise<number> => {
    stopping ??= (async () => {
      state = 'stopping';
      log.info('stopping', { reason });
      const deadline = setTimeout(() => {
        log.error('graceful stop exceeded its deadline; exiting', { timeoutMs: o.shutdownTimeoutMs });
        hardStop();
      }, o.shutdownTimeoutMs);
      deadline.unref();
      await starting;
      let code = 0;
      for (const s of [...started].reverse()) {
        try {
          await s.stop(reason);
          log.info('stopped', { service: s.name });
        } catch (err) {
          code = 1;
          log.error('stop failed', { service: s.name, err });
        }
      }
      await probe.close();
      clearTimeout(deadline);
      detach();
      resolveDone(code);
      return code;
    })();
    return stopping;
  };

  const onSignal = (sig: NodeJS.Signals) => void stop(sig);
  const onCrash = (err: unknown) => {
    log.error('fatal error; exiting', { err });
    process.exit(1);
  };
  const detach = () => {
    if (o.handleSignals === false) return;
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    process.off('uncaughtException', onCrash);
    process.off('unhandledRejection', onCrash);
  };
  if (o.handleSignals !== false) {
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
    process.on('uncaughtException', onCrash);
    process.on('unhandledRejection', onCrash);
  }

  let failed: unknown = null;
  try {
    for (const s of o.services) {
      if (stopRequested()) break;
      await s.start();
      started.push(s);
      log.info('started', { service: s.name });
    }
  } catch (err) {
    failed = err;
  } finally {
    startSettled();
  }
  if (failed !== null) {
    log.error('start failed', { err: failed });
    await stop('start failed');
    return { done: Promise.resolve(1), stop, probe };
  }
  if (state === 'starting') state = 'running';
  return { done, stop, probe };
}
