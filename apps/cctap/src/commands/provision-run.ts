/**
 * What `cctap provision` does (provision.ts declares it): connects to NATS and creates or updates the streams, consumers and buckets.
 */
import { connectNats, formatBytes, natsOptionsFromConfig, provision } from '@cctap/kit';
import { oneShotWaitOf } from '../one-shot-wait.js';
import { EXIT } from '../exit-codes.js';
import { loadCommandConfig } from '../flags/load-command-config.js';
import { spec } from './provision.js';

/** The work, once the command line does not ask for the help (provision.ts answers that without loading this). */
export async function runProvision(argv: string[]): Promise<number> {
  const cfg = loadCommandConfig(spec, argv);
  // A one-shot command: waits for NATS as long as CCTAP_WAIT_SECONDS says (default 30 s), then gives up.
  const nc = await connectNats({ ...natsOptionsFromConfig(cfg, 'cctap-provision'), ...oneShotWaitOf() });
  try {
    const report = await provision(nc, {
      prefix: cfg.prefix,
      replicas: cfg.replicas,
      ...(cfg.maxBytes !== undefined ? { maxBytes: cfg.maxBytes } : {}),
      ...(cfg.storage !== undefined ? { storageBytes: cfg.storage } : {}),
      ...(cfg.maxDeliver !== undefined ? { maxDeliver: cfg.maxDeliver } : {}),
      ...(cfg.ackWaitMs !== undefined ? { ackWaitMs: cfg.ackWaitMs } : {}),
      ...(cfg.maxAckPending !== undefined ? { maxAckPending: cfg.maxAckPending } : {}),
    });
    if (cfg.json) {
      console.log(JSON.stringify(report, null, 2));
    } else {
      console.log(`nats-server ${report.serverVersion}`);
      if (report.fittedTo !== null)
        console.log(
          `the stream sizes asked for do not fit: JetStream could reserve ${formatBytes(report.fittedTo)} more; streams that exist keep their size, new ones share 90% of it`,
        );
      for (const e of report.entries) {
        const size = e.maxBytes !== undefined ? `  max ${formatBytes(e.maxBytes)}` : '';
        console.log(
          `  ${e.kind.padEnd(8)} ${e.name.padEnd(40)} ${e.action}${e.changed ? ` (${e.changed.join(', ')})` : ''}${size}`,
        );
      }
      const n = (a: string) => report.entries.filter((e) => e.action === a).length;
      const replaced =
        n('replaced') > 0 ? `, ${n('replaced')} replaced (new retention; everything in it had been consumed)` : '';
      console.log(`${n('created')} created, ${n('updated')} updated, ${n('unchanged')} unchanged${replaced}`);
    }
    return EXIT.ok;
  } finally {
    await nc.close();
  }
}
