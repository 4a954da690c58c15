#!/usr/bin/env node
/**
 * `npm run deploy:check`: the container deployment, end to end, on a machine that cannot pull images
 * (docs/deploy.md, "Checked here"). One line per step with its time; exit 0 when every check passed, 1 on
 * the first failure (its line says what failed), 2 on a bad command line. Containers and the network are
 * removed on exit (unless --keep); the images stay, so a second run rebuilds only what changed.
 */
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HELP, parseDeployCheckArgs, UsageError } from './args.mjs';

const scriptDir = dirname(fileURLToPath(import.meta.url));
const repo = join(scriptDir, '../..');
const CLI = join(repo, 'apps/cctap/dist/main.js');
/** Name of the network, prefix of the containers and label key of everything this check starts. */
const NAME = 'cctap-deploy-check';
const SERVICES = ['validator', 'analyzer', 'alerter', 'sink'];
/** Counted with FINAL: the tables deduplicate in background merges, whenever those happen. */
const COUNTS = `SELECT (SELECT count() FROM usage FINAL) AS usage, (SELECT count() FROM events FINAL) AS events,
  (SELECT count() FROM invalid_events FINAL) AS invalid, (SELECT count() FROM alerts FINAL) AS alerts`;

let opts;
try {
  opts = parseDeployCheckArgs(process.argv.slice(2), { repo });
} catch (err) {
  if (!(err instanceof UsageError)) throw err;
  console.error(`deploy-check: ${err.message}`);
  process.exit(2);
}
if (opts.help) {
  console.log(HELP);
  process.exit(0);
}
// Loaded once the command line is good: --help and usage errors answer at once.
const { IMAGES, buildNatsImage, buildProjectImage, ensureBaseImage } = await import('./images.mjs');
const { waitUntilDrained } = await import('./drained.mjs');
const { CheckError, docker, dockerOk, run, waitFor } = await import('./run.mjs');
const { alertRules, startWebhookReceiver } = await import('./webhook-receiver.mjs');

const started = Date.now();
const seconds = (from) => `${((Date.now() - from) / 1000).toFixed(1)}s`.padStart(7);

/** Runs one step and prints its line: ok or FAIL, its time, its name and what it found. */
async function step(name, fn) {
  const t = Date.now();
  try {
    const detail = await fn();
    console.log(`ok   ${seconds(t)}  ${name}${detail ? `: ${detail}` : ''}`);
  } catch (err) {
    console.log(`FAIL ${seconds(t)}  ${name}: ${err instanceof CheckError ? err.message : (err?.stack ?? err)}`);
    throw err;
  }
}

const container = (name) => `${NAME}-${name}`;

async function removeContainers() {
  const ids = (await docker(['ps', '-aq', '--filter', `label=${NAME}`])).split('\n').filter(Boolean);
  if (ids.length > 0) await docker(['rm', '-f', ...ids]);
  if (await dockerOk(['network', 'inspect', NAME])) await docker(['network', 'rm', NAME]);
}

async function containerIp(name) {
  return docker(['inspect', '-f', '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}', container(name)]);
}

/** A running container or a CheckError with its state and last log line. */
async function assertRunning(name) {
  const state = await docker(['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}}', container(name)]);
  if (state.startsWith('running')) return;
  const logs = await run('docker', ['logs', '--tail', '1', container(name)], { allowFail: true });
  throw new CheckError(`${name} container is ${state}: ${(logs.stderr || logs.stdout).trim().slice(0, 300)}`);
}

async function saveLogs(work) {
  const ids = (await docker(['ps', '-a', '--filter', `label=${NAME}`, '--format', '{{.Names}}'])).split('\n');
  for (const id of ids.filter(Boolean)) {
    const r = await run('docker', ['logs', id], { allowFail: true });
    writeFileSync(join(work, 'logs', `${id}.log`), r.stdout + r.stderr);
  }
}

/** A directory the images' unprivileged user (uid 1000) can use, whoever runs the check. */
function sharedDir(path, mode) {
  mkdirSync(path, { recursive: true });
  chmodSync(path, mode);
  return path;
}

const work = mkdtempSync(join(tmpdir(), `${NAME}-`));
chmodSync(work, 0o755);
mkdirSync(join(work, 'logs'));
const log = (name) => join(work, 'logs', `${name}.log`);
let receiver = null;
let cleaned = false;
/** Set once the daemon answered: before that there is nothing to clean up or keep. */
let dockerAnswered = false;

async function cleanup(passed) {
  if (cleaned) return;
  cleaned = true;
  await receiver?.close();
  if (!dockerAnswered) {
    rmSync(work, { recursive: true, force: true });
    return;
  }
  await saveLogs(work).catch(() => undefined);
  if (opts.keep) {
    console.log(`kept: containers ${NAME}-*, network ${NAME}, work directory ${work}`);
    return;
  }
  await removeContainers().catch((e) => console.log(`cleanup: ${e.message}`));
  if (passed) rmSync(work, { recursive: true, force: true });
  else console.log(`logs of every step and container: ${join(work, 'logs')}`);
}

process.once('SIGINT', () => {
  console.log('interrupted: removing the containers');
  void cleanup(false).then(() => process.exit(130));
});

let passed = false;
try {
  await step('docker daemon', async () => {
    const v = await docker(['version', '-f', '{{.Server.Version}}']).catch(() => {
      throw new CheckError('no Docker daemon answers: start it (dockerd >/tmp/dockerd.log 2>&1 &) and run again');
    });
    dockerAnswered = true;
    await removeContainers();
    return `server ${v}`;
  });

  await step(`base image ${IMAGES.base}`, () =>
    ensureBaseImage({ mirror: opts.mirror, rebuild: opts.rebuildBase, log: log('base-image') }),
  );
  await step(`nats image ${IMAGES.nats}`, () => buildNatsImage({ log: log('nats-image'), scriptDir }));
  await step(`central image ${IMAGES.central}`, () =>
    buildProjectImage({ repo, target: 'central', tag: IMAGES.central, log: log('central-image') }),
  );
  await step(`collector image ${IMAGES.collector}`, () =>
    buildProjectImage({ repo, target: 'collector', tag: IMAGES.collector, log: log('collector-image') }),
  );

  // The transcripts, laid out as Claude Code writes them, readable by the containers' user.
  const root = sharedDir(join(work, 'claude'), 0o755);
  const project = sharedDir(join(root, 'projects', NAME), 0o755);
  const files = readdirSync(opts.fixtures).filter((f) => f.endsWith('.jsonl'));
  if (files.length === 0) throw new CheckError(`no .jsonl transcripts in ${opts.fixtures}`);
  for (const f of files) cpSync(join(opts.fixtures, f), join(project, f));
  receiver = await startWebhookReceiver();

  let expected;
  await step('baseline: cctap up --once on the host', async () => {
    const rules = join(work, 'baseline-rules.json');
    writeFileSync(rules, JSON.stringify(alertRules(`http://127.0.0.1:${receiver.port}/baseline`)));
    const data = join(work, 'baseline');
    await run(
      process.execPath,
      [CLI, 'up', '--once', '--quiet', '--data', data, '--state', join(work, 'baseline-state'), '--root', root],
      { log: log('baseline'), env: { CCTAP_METRICS_PORT: '0', CCTAP_RULES: rules, CCTAP_STATUS_SECONDS: '0' } },
    );
    const out = await run(process.execPath, [CLI, 'sql', '--data', data, '--format', 'json', COUNTS]);
    expected = JSON.parse(out.stdout)[0];
    return `${files.length} files; ${describe(expected)}; ${receiver.alerts('/baseline').size} alerts delivered`;
  });

  let natsUrl;
  await step('nats-server container (deploy/nats/nats-server.conf)', async () => {
    await docker(['network', 'create', '--label', NAME, NAME]);
    await docker([
      'run',
      '-d',
      '--name',
      container('nats'),
      '--label',
      NAME,
      '--network',
      NAME,
      '-v',
      `${join(repo, 'deploy/nats/nats-server.conf')}:/etc/nats/nats-server.conf:ro`,
      '-v',
      `${join(repo, 'deploy/nats/no-auth')}:/etc/nats/auth:ro`,
      IMAGES.nats,
      '-c',
      '/etc/nats/nats-server.conf',
    ]);
    const ip = await containerIp('nats');
    await waitFor('nats /healthz', 30_000, async () => {
      await assertRunning('nats');
      return (await fetch(`http://${ip}:8222/healthz?js-enabled-only=true`)).ok;
    });
    natsUrl = `nats://${ip}:4222`;
    return natsUrl;
  });
  const inNet = `nats://${container('nats')}:4222`;

  await step('cctap provision', async () => {
    const out = await docker(
      [
        'run',
        '--name',
        container('provision'),
        '--label',
        NAME,
        '--network',
        NAME,
        '-e',
        `NATS_URL=${inNet}`,
        IMAGES.central,
        'provision',
      ],
      { log: log('provision') },
    );
    return out.split('\n').at(-1)?.slice(0, 160);
  });

  const gateway = await docker(['network', 'inspect', '-f', '{{(index .IPAM.Config 0).Gateway}}', NAME]);
  const rulesDir = sharedDir(join(work, 'rules'), 0o755);
  writeFileSync(
    join(rulesDir, 'rules.json'),
    JSON.stringify(alertRules(`http://${gateway}:${receiver.port}/pipeline`)),
  );
  const data = sharedDir(join(work, 'data'), 0o777);

  const extra = {
    validator: [],
    analyzer: [],
    alerter: ['--rules', '/etc/cctap/rules.json'],
    sink: ['--data', '/data'],
  };
  const mounts = { alerter: ['-v', `${rulesDir}:/etc/cctap:ro`], sink: ['-v', `${data}:/data`] };
  await step('validator, analyzer, alerter, sink containers started', async () => {
    for (const s of SERVICES)
      await docker([
        'run',
        '-d',
        '--name',
        container(s),
        '--label',
        NAME,
        '--network',
        NAME,
        '-e',
        `NATS_URL=${inNet}`,
        ...(mounts[s] ?? []),
        IMAGES.central,
        s,
        ...extra[s],
      ]);
  });
  await Promise.all(
    SERVICES.map((s) =>
      step(`${s} /readyz`, async () => {
        const ip = await containerIp(s);
        await waitFor(`${s} /readyz`, 120_000, async () => {
          await assertRunning(s);
          return (await fetch(`http://${ip}:9464/readyz`)).ok;
        });
        return `http://${ip}:9464/readyz 200`;
      }),
    ),
  );

  await step('collector image: cctap-agent collect --once', async () => {
    const state = sharedDir(join(work, 'state'), 0o777);
    await docker(
      [
        'run',
        '--name',
        container('collector'),
        '--label',
        NAME,
        '--network',
        NAME,
        '-v',
        `${root}:/claude:ro`,
        '-v',
        `${state}:/state`,
        IMAGES.collector,
        '--once',
        '--state',
        '/state',
        '--root',
        '/claude',
        '--nats',
        inNet,
        '--host',
        NAME,
      ],
      { log: log('collect') },
    );
    return `${files.length} transcripts from ${opts.fixtures}`;
  });

  await step('pipeline drained', async () => `${await waitUntilDrained(natsUrl, 180_000)} consumers idle`);

  await step('alerter webhook', async () => {
    const want = receiver.alerts('/baseline');
    await waitFor('the alerts of the baseline delivered by the alerter container', 60_000, () => {
      const got = receiver.alerts('/pipeline');
      return got.size >= want.size && [...want].every((k) => got.has(k));
    });
    const got = receiver.alerts('/pipeline');
    if (got.size !== want.size) throw new CheckError(`${got.size} alerts delivered, the baseline ${want.size}`);
    return `${got.size} alerts (rule session-start), the same keys as the baseline`;
  });

  await step('services stop cleanly (SIGTERM, exit 0)', async () => {
    await Promise.all(SERVICES.map((s) => docker(['stop', '-t', '30', container(s)])));
    const codes = await Promise.all(
      SERVICES.map(async (s) => `${s}=${await docker(['inspect', '-f', '{{.State.ExitCode}}', container(s)])}`),
    );
    if (codes.some((c) => !c.endsWith('=0'))) throw new CheckError(`exit codes ${codes.join(' ')}`);
    return codes.join(' ');
  });

  await step('store rows (cctap sql in the central image) equal the baseline', async () => {
    const out = await docker([
      'run',
      '--rm',
      '--label',
      NAME,
      '--network',
      'none',
      '-v',
      `${data}:/data`,
      IMAGES.central,
      'sql',
      '--data',
      '/data',
      '--format',
      'json',
      COUNTS,
    ]);
    const got = JSON.parse(out)[0];
    const differs = Object.keys(expected).filter((k) => Number(got[k]) !== Number(expected[k]));
    if (Number(got.usage) === 0) throw new CheckError('no usage rows stored');
    if (differs.length > 0) throw new CheckError(`containers ${describe(got)}; baseline ${describe(expected)}`);
    return describe(got);
  });
  passed = true;
} catch (err) {
  if (!(err instanceof CheckError)) console.error(err);
} finally {
  await cleanup(passed);
}
console.log(`deploy-check ${passed ? 'passed' : 'FAILED'} in ${seconds(started).trim()}`);
process.exit(passed ? 0 : 1);

function describe(c) {
  return `usage ${c.usage}, events ${c.events}, invalid ${c.invalid}, alerts ${c.alerts}`;
}
