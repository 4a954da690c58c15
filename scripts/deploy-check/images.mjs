/**
 * The images of the check, built without pulling anything: a Debian bookworm base from debootstrap with the
 * host's node (the project's images are node:20 bookworm; Debian 12's own nodejs is 18), nats-server from
 * Debian's package on that base, and the project's Dockerfile targets built FROM that base. Docker keeps the
 * layers, so a second run rebuilds only what changed.
 */
import { cpSync, existsSync, mkdirSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { spawn } from 'node:child_process';
import { CheckError, docker, dockerOk, run } from './run.mjs';

export const IMAGES = {
  base: 'cctap-base:bookworm',
  nats: 'cctap-nats:deploy-check',
  central: 'cctap:deploy-check',
  collector: 'cctap-collector:deploy-check',
};

/** Where the debootstrap tree is kept between runs (a second base build skips the download). */
const CACHE_DIR = '/var/tmp/cctap-deploy-check';
const COMPLETE = '.cctap-debootstrap-complete';
const HOST_CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

/** The base image; returns 'reused' or what was done. */
export async function ensureBaseImage({ mirror, rebuild, log }) {
  if (!rebuild && (await dockerOk(['image', 'inspect', IMAGES.base]))) return 'reused';
  if (process.getuid?.() !== 0) throw new CheckError('building the base image needs root (debootstrap, chroot)');
  const rootfs = join(CACHE_DIR, 'rootfs');
  let fetched = 'cached debootstrap tree';
  if (rebuild || !existsSync(join(rootfs, COMPLETE))) {
    rmSync(rootfs, { recursive: true, force: true });
    mkdirSync(CACHE_DIR, { recursive: true });
    await run('debootstrap', ['--variant=minbase', 'bookworm', rootfs, mirror], { log }).catch((e) => {
      throw new CheckError(`${e.message} (apt-get install -y debootstrap; is ${mirror} reachable?)`);
    });
    writeFileSync(join(rootfs, COMPLETE), `${new Date().toISOString()} ${mirror}\n`);
    fetched = `debootstrap from ${mirror}`;
  }
  // node and npm as the host has them (npm ci runs inside the image build).
  const node = realpathSync(process.execPath);
  const npmDir = dirname(dirname(realpathSync(join(dirname(process.execPath), 'npm'))));
  cpSync(node, join(rootfs, 'usr/local/bin/node'));
  rmSync(join(rootfs, 'usr/local/lib/node_modules/npm'), { recursive: true, force: true });
  cpSync(npmDir, join(rootfs, 'usr/local/lib/node_modules/npm'), { recursive: true });
  for (const bin of ['npm', 'npx']) {
    rmSync(join(rootfs, 'usr/local/bin', bin), { force: true });
    symlinkSync(`../lib/node_modules/npm/bin/${bin}-cli.js`, join(rootfs, 'usr/local/bin', bin));
  }
  // The unprivileged user of the official node images (uid 1000), which the Dockerfile switches to.
  await run('chroot', [
    rootfs,
    'sh',
    '-c',
    'id node >/dev/null 2>&1 || { groupadd -g 1000 node && useradd -u 1000 -g node -m -s /bin/sh node; }',
  ]);
  // The host's CA bundle: where the registry is reached through a TLS-inspecting proxy the host trusts, npm
  // and node in the build trust it too (minbase has no ca-certificates; node otherwise uses its own roots).
  const changes = ['ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'];
  const ca = [process.env.NODE_EXTRA_CA_CERTS, HOST_CA_BUNDLE].find((f) => f && existsSync(f));
  if (ca) {
    mkdirSync(join(rootfs, 'etc/ssl/certs'), { recursive: true });
    cpSync(ca, join(rootfs, HOST_CA_BUNDLE));
    changes.push(`ENV NODE_EXTRA_CA_CERTS=${HOST_CA_BUNDLE}`, `ENV npm_config_cafile=${HOST_CA_BUNDLE}`);
  }
  await importTree(rootfs, IMAGES.base, changes);
  return `${fetched}, node ${process.version}${ca ? `, CA bundle ${ca}` : ''}`;
}

/** `tar -C dir -c . | docker import - tag` */
function importTree(dir, tag, changes) {
  return new Promise((resolve, reject) => {
    // Without the package archives and indexes debootstrap leaves (80 MB): an image that needs a package runs
    // apt-get update first.
    const excludes = [
      `./${COMPLETE}`,
      './var/cache/apt/archives/*.deb',
      './var/cache/apt/*.bin',
      './var/lib/apt/lists/*',
    ];
    const tar = spawn('tar', ['-C', dir, ...excludes.flatMap((e) => ['--exclude', e]), '-c', '.'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const imp = spawn('docker', ['import', ...changes.flatMap((c) => ['--change', c]), '-', tag], {
      stdio: [tar.stdout, 'ignore', 'pipe'],
    });
    let err = '';
    imp.stderr.on('data', (c) => (err += c));
    imp.on('close', (code) =>
      code === 0 ? resolve() : reject(new CheckError(`docker import ${tag} exited ${code}: ${err.trim()}`)),
    );
  });
}

/**
 * `docker build` with the legacy builder: BuildKit is not needed and would try to pull its Dockerfile
 * frontend. Host network: the builds reach the npm registry and the Debian mirror the way the host does.
 * --force-rm: a failed step leaves no stopped container behind.
 */
async function build(args, log) {
  const r = await run('docker', ['build', '--network', 'host', '--force-rm', ...args], {
    log,
    env: { DOCKER_BUILDKIT: '0' },
    allowFail: true,
  });
  if (r.code === 0) return;
  // The first compiler or npm error says more than the builder's "returned a non-zero code".
  const lines = `${r.stdout}\n${r.stderr}`.split('\n');
  const first = lines.find((l) => /error TS\d+|npm error|ERR!|error:/i.test(l)) ?? lines.findLast((l) => l.trim());
  throw new CheckError(`docker build failed (output in ${log}): ${first?.trim().slice(0, 300)}`);
}

export async function buildNatsImage({ log, scriptDir }) {
  await build(
    ['-f', join(scriptDir, 'nats.Dockerfile'), '--build-arg', `BASE=${IMAGES.base}`, '-t', IMAGES.nats, scriptDir],
    log,
  );
  const v = await docker(['run', '--rm', IMAGES.nats, '--version']);
  return v;
}

/** A target of deploy/docker/Dockerfile on the base; the embedded ClickHouse is in, so the sink needs no server. */
export async function buildProjectImage({ repo, target, tag, log }) {
  await build(
    [
      '-f',
      join(repo, 'deploy/docker/Dockerfile'),
      '--target',
      target,
      '--build-arg',
      `NODE_IMAGE=${IMAGES.base}`,
      '--build-arg',
      'EMBEDDED_CLICKHOUSE=true',
      '-t',
      tag,
      repo,
    ],
    log,
  );
  const bytes = Number(await docker(['image', 'inspect', '-f', '{{.Size}}', tag]));
  return `${(bytes / 1e6).toFixed(0)} MB`;
}
