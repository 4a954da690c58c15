#!/usr/bin/env node
/**
 * `npm run build:agent [-- --out DIR]`: packs `cctap-agent` into dist/cctap-agent.tgz (or DIR/cctap-agent.tgz),
 * the one file a developer machine installs (`npm install -g ./dist/cctap-agent.tgz`; without the `./` npm
 * reads the path as a GitHub repository). Run after `tsc -b apps/cctap-agent` (the npm script does both):
 * esbuild bundles the compiled entry and everything it imports (the collector, kit, the NATS client, zod,
 * yaml) into ESM for Node 20, an entry and the chunks each command loads when it runs, so the package has no
 * dependencies and installs offline.
 *
 * The build fails when the bundle would carry what a laptop must never install (DESIGN section 2): the
 * ClickHouse engine or client, the store, or a native module.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const APP = join(REPO, 'apps/cctap-agent');
const { values } = parseArgs({ options: { out: { type: 'string' } } });
const OUT = resolve(values.out ?? join(REPO, 'dist'));
const STAGE = join(OUT, 'cctap-agent');
const TGZ = join(OUT, 'cctap-agent.tgz');

/** Inputs that must not reach the bundle: the embedded engine, the ClickHouse client, the store. */
const FORBIDDEN = [/node_modules\/(@chdb|chdb)\//, /node_modules\/@clickhouse\//, /packages\/store\//, /\.node$/];

rmSync(STAGE, { recursive: true, force: true });
rmSync(TGZ, { force: true });
mkdirSync(join(STAGE, 'dist'), { recursive: true });

const result = await build({
  entryPoints: [join(APP, 'dist/main.js')],
  outdir: join(STAGE, 'dist'),
  // Each command in chunks of its own, loaded when it runs: `guard` runs before every tool call and must not
  // parse the collector, the NATS client and zod (one 2 MB file took twice the guard's own start-up).
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  metafile: true,
  logLevel: 'warning',
  // Bundled CommonJS dependencies (prom-client) call require() for Node's built-ins; an ESM file has none.
  banner: {
    js: "import { createRequire as __cctapRequire } from 'node:module';\nconst require = __cctapRequire(import.meta.url);",
  },
});

const inputs = Object.keys(result.metafile.inputs);
const forbidden = inputs.filter((p) => FORBIDDEN.some((re) => re.test(p)));
if (forbidden.length > 0) {
  console.error(
    `build:agent: the bundle must not contain the store, ClickHouse or native modules, but imports:\n  ${forbidden.join('\n  ')}`,
  );
  process.exit(1);
}

// The agent's own manifest, as it is: bin points at dist/main.js, which main.ts reads its version next to.
copyFileSync(join(APP, 'package.json'), join(STAGE, 'package.json'));
const pack = spawnSync('npm', ['pack', '--json', '--pack-destination', OUT], { cwd: STAGE, encoding: 'utf8' });
if (pack.status !== 0) {
  console.error(`build:agent: npm pack failed:\n${pack.stderr}`);
  process.exit(1);
}
const [{ filename }] = JSON.parse(pack.stdout);
renameSync(join(OUT, filename), TGZ);

const mb = (bytes) => `${(bytes / 1e6).toFixed(2)} MB`;
const outputs = Object.keys(result.metafile.outputs).filter((p) => p.endsWith('.js'));
const bundle = outputs.reduce((n, p) => n + statSync(p).size, 0);
console.log(
  `build:agent: ${TGZ} (${mb(statSync(TGZ).size)}; bundle ${mb(bundle)} in ${outputs.length} files, ${inputs.length} modules)`,
);
