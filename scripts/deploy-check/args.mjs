/** The command line of `npm run deploy:check`: flags, defaults and the --help text. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

export const HELP = `usage: npm run deploy:check -- [--keep] [--rebuild-base] [--mirror URL] [--fixtures DIR]

Builds the cctap images without pulling any image (a Debian base made with debootstrap, the host's node
binary copied in), then runs nats-server, provision, validator, analyzer, alerter and sink as containers,
feeds the fixtures with the collector image and checks the result against \`cctap up --once\` on the host.
Needs root, a running Docker daemon and debootstrap (first run only: the base image is reused afterwards).

  --keep           leave the containers, network and work directory after the run (to look around)
  --rebuild-base   debootstrap the base image again instead of reusing cctap-base:bookworm
  --mirror URL     Debian mirror for debootstrap and apt (default: the one in /etc/apt/sources.list*)
  --fixtures DIR   transcripts to feed (default: test/fixtures/real)
  -h, --help       this text`;

const DEFAULT_MIRROR = 'http://deb.debian.org/debian';

/** The first Debian (not security, not third-party) mirror apt uses on this machine. */
function aptMirror(dir = '/etc/apt') {
  const files = [];
  try {
    files.push(join(dir, 'sources.list'));
    for (const f of readdirSync(join(dir, 'sources.list.d'))) files.push(join(dir, 'sources.list.d', f));
  } catch {
    // No sources.list.d: the main file alone.
  }
  for (const file of files) {
    let text;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    const urls = [...text.matchAll(/^(?:URIs:\s*|deb\s+(?:\[[^\]]*\]\s+)?)(\S+)/gm)].map((m) => m[1]);
    const debian = urls.find((u) => /\/debian\/?$/.test(u));
    if (debian) return debian.replace(/\/$/, '');
  }
  return DEFAULT_MIRROR;
}

export class UsageError extends Error {}

/** Parses argv (without node and the script); throws UsageError with one line on a bad command line. */
export function parseDeployCheckArgs(argv, { repo, mirror = aptMirror } = {}) {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        help: { type: 'boolean', short: 'h', default: false },
        keep: { type: 'boolean', default: false },
        'rebuild-base': { type: 'boolean', default: false },
        mirror: { type: 'string' },
        fixtures: { type: 'string' },
      },
    });
  } catch (err) {
    throw new UsageError(`${err.message.split('\n')[0]} (npm run deploy:check -- --help)`);
  }
  const v = parsed.values;
  if (v.mirror !== undefined && !/^https?:\/\/\S+$/.test(v.mirror))
    throw new UsageError(`--mirror must be an http(s) URL, got "${v.mirror}"`);
  return {
    help: v.help,
    keep: v.keep,
    rebuildBase: v['rebuild-base'],
    mirror: v.mirror ?? mirror(),
    fixtures: v.fixtures ?? join(repo, 'test/fixtures/real'),
  };
}
