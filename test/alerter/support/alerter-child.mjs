// An alerter in its own process (so a test can SIGKILL it), run from the built packages, on JetStream + KV.
// argv: natsUrl prefix rulesFile
// SIGUSR2 prints `possible-duplicates <n>` (the counter, as a scrape before a kill would read it) and
// `owed <json>` (the deliveries it still has to make: none means no request can follow).
import { topology } from '@cctap/events';
import { createAlerter, openKvStores } from '@cctap/alerter';
import { connectNats, createJetStreamBus, createLogger, createMetrics } from '@cctap/kit';

const [url, prefix, rulesFile] = process.argv.slice(2);
const t = topology(prefix);
const nc = await connectNats({ servers: url, name: 'alerter-child' });
const bus = createJetStreamBus(nc, { topology: t, publishTimeoutMs: 2000 });
const stores = await openKvStores(nc, t);
const metrics = createMetrics('alerter', { defaultMetrics: false });
const logger = createLogger({
  service: 'alerter',
  level: 'info',
  write: (line) => process.stdout.write(line.endsWith('\n') ? line : `${line}\n`),
});
const alerter = createAlerter({
  bus,
  topology: t,
  rules: { file: rulesFile },
  logger,
  metrics,
  tickMs: 100,
  retryBaseMs: 100,
  retryMaxMs: 500,
  state: stores.alerts,
  silences: stores.silences,
});
await alerter.start();
process.stdout.write('ready\n');
process.on('SIGUSR2', async () => {
  const m = await metrics.registry.getSingleMetric('cctap_alerter_possible_duplicate_notifications_total')?.get();
  process.stdout.write(`possible-duplicates ${(m?.values ?? []).reduce((s, v) => s + v.value, 0)}\n`);
  process.stdout.write(`owed ${JSON.stringify(alerter.pendingDeliveries())}\n`);
});
process.on('SIGTERM', async () => {
  await alerter.stop();
  await bus.close();
  await nc.drain();
  process.exit(0);
});
