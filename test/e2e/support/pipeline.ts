/**
 * The whole multi-process pipeline as an operator starts it: `cctap provision`, then one `cctap collect` per
 * host root, `cctap validator`, `cctap analyzer`, `cctap alerter --rules FILE` and `cctap sink --data DIR`,
 * each its own OS process (cli-process.ts) against one nats-server. Used by the chaos suite (test/chaos) and
 * the bad-input drill; the older multi-process test starts its subset by hand.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliProcess, runCli, type CliProcess } from './cli-process.js';

export interface PipelineOptions {
  natsUrl: string;
  prefix: string;
  /** Working directory: collector state, the store, logs and the rules file go below it. */
  work: string;
  /** One collector per host root. */
  hosts: readonly { name: string; root: string }[];
  /** The alerter's rules file content (JSON); omitted: no alerter process. */
  alerterRules?: unknown;
  /** Without the analyzer process. */
  noAnalyzer?: boolean;
  privacy?: 'metadata' | 'redacted' | 'full';
  /** Extra environment per component name (`sink`, `validator`, `collect-<host>`, ...). */
  env?: Readonly<Record<string, NodeJS.ProcessEnv>>;
}

export interface Pipeline {
  readonly collectors: readonly CliProcess[];
  readonly validator: CliProcess;
  readonly analyzer: CliProcess | null;
  readonly alerter: CliProcess | null;
  readonly sink: CliProcess;
  /** Every long-running process, services first. */
  readonly all: readonly CliProcess[];
  readonly dataDir: string;
  readonly logDir: string;
  /** Services first, then the collectors (they connect to a pipeline that is already consuming). */
  start(): Promise<void>;
  /** SIGTERM everything; resolves to the exit codes by name. */
  /**
   * SIGTERM to the collectors, then `afterCollectors` (e.g. wait until what they sent last has gone through),
   * then to the services, sink first. Resolves to every exit code.
   */
  stop(o?: { afterCollectors?: () => Promise<void> }): Promise<Record<string, number | null>>;
  /** SIGKILL whatever still runs (cleanup after a failure). */
  kill(): Promise<void>;
}

/** Streams are capped at `maxBytes` each (JetStream reserves it on disk up front). */
export async function provisionPipeline(
  natsUrl: string,
  prefix: string,
  o: { maxBytes?: number; ackWaitMs?: number } = {},
): Promise<void> {
  await runCli('provision', [
    '--nats',
    natsUrl,
    '--prefix',
    prefix,
    '--max-bytes',
    String(o.maxBytes ?? 1024 ** 3),
    '--ack-wait-ms',
    String(o.ackWaitMs ?? 8000),
  ]);
}

export function createPipeline(o: PipelineOptions): Pipeline {
  const logDir = join(o.work, 'logs');
  const dataDir = join(o.work, 'store');
  mkdirSync(logDir, { recursive: true });
  const common = ['--nats', o.natsUrl, '--prefix', o.prefix, '--metrics-port', '0', '--metrics-host', '127.0.0.1'];
  const proc = (name: string, command: string, args: string[]) =>
    cliProcess({ name, command, logDir, args: [...common, ...args], ...(o.env?.[name] ? { env: o.env[name] } : {}) });

  const collectors = o.hosts.map((h) =>
    proc(`collect-${h.name}`, 'collect', [
      '--root',
      h.root,
      '--state',
      join(o.work, `state-${h.name}`),
      '--host',
      h.name,
      '--os-user',
      'chaos',
      '--sweep-ms',
      '100',
      ...(o.privacy ? ['--privacy', o.privacy] : []),
    ]),
  );
  const validator = proc('validator', 'validator', []);
  const analyzer = o.noAnalyzer ? null : proc('analyzer', 'analyzer', []);
  let alerter: CliProcess | null = null;
  if (o.alerterRules !== undefined) {
    const rulesFile = join(o.work, 'alerter-rules.json');
    writeFileSync(rulesFile, JSON.stringify(o.alerterRules, null, 2));
    // A 5 s lease (not the 15 s default): an alerter restarted after SIGKILL waits out its predecessor's lease
    // before it is active, and the fault suites kill it more than once.
    alerter = proc('alerter', 'alerter', ['--rules', rulesFile, '--lease-ms', '5000']);
  }
  const sink = proc('sink', 'sink', ['--data', dataDir]);
  const services = [sink, validator, ...(analyzer ? [analyzer] : []), ...(alerter ? [alerter] : [])];
  const all = [...services, ...collectors];

  return {
    collectors,
    validator,
    analyzer,
    alerter,
    sink,
    all,
    dataDir,
    logDir,
    async start() {
      await Promise.all(services.map((p) => p.start()));
      for (const c of collectors) await c.start();
    },
    async stop(o) {
      const codes: Record<string, number | null> = {};
      for (const c of collectors) codes[c.name] = await c.stop();
      await o?.afterCollectors?.();
      for (const p of services) codes[p.name] = await p.stop();
      return codes;
    },
    async kill() {
      for (const p of all) await p.kill9().catch(() => undefined);
    },
  };
}
