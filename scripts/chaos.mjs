#!/usr/bin/env node
/**
 * `npm run chaos -- [--lines 1000000] [--kills 50] [--min-each 5] [--hosts 4] [--seed N] [--gap-ms 3000-9000]
 *                   [--nats-down-ms 20000] [--store-down-ms 30000] [--no-outage] [--keep]`
 *
 * The long chaos run (docs/reliability.md). The suite is a TypeScript library under test/chaos that runs
 * against the workspace sources the way the tests do, so this runs it through vitest
 * (test/chaos/chaos-long.test.ts, skipped unless CCTAP_CHAOS_ARGS is set) and passes the flags as JSON.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    lines: { type: 'string', default: '1000000' },
    kills: { type: 'string', default: '50' },
    'min-each': { type: 'string', default: '5' },
    hosts: { type: 'string', default: '4' },
    seed: { type: 'string' },
    'gap-ms': { type: 'string', default: '3000-9000' },
    'nats-down-ms': { type: 'string', default: '20000' },
    'store-down-ms': { type: 'string', default: '30000' },
    'no-outage': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
  },
});
const int = (name) => {
  const v = values[name];
  if (!/^\d+$/.test(v)) {
    console.error(`chaos: --${name} must be a non-negative integer, got "${v}"`);
    process.exit(2);
  }
  return Number(v);
};
const gap = /^(\d+)-(\d+)$/.exec(values['gap-ms']);
if (!gap || Number(gap[1]) > Number(gap[2])) {
  console.error(`chaos: --gap-ms must be LO-HI in ms, got "${values['gap-ms']}"`);
  process.exit(2);
}
const args = {
  lines: int('lines'),
  kills: int('kills'),
  minEach: int('min-each'),
  hosts: int('hosts'),
  seed: values.seed === undefined ? Math.floor(Math.random() * 1e9) : int('seed'),
  gapMs: [Number(gap[1]), Number(gap[2])],
  outage: values['no-outage'] ? null : { natsDownMs: int('nats-down-ms'), storeDownMs: int('store-down-ms') },
  keep: values.keep,
};
console.log(`chaos: seed ${args.seed} (reproduce the schedule with --seed ${args.seed})`);
const repo = fileURLToPath(new URL('..', import.meta.url));
const r = spawnSync('npx', ['vitest', 'run', '--project', 'integration', 'test/chaos/chaos-long.test.ts'], {
  cwd: repo,
  stdio: 'inherit',
  env: { ...process.env, CCTAP_CHAOS_ARGS: JSON.stringify(args) },
});
process.exit(r.status ?? 1);
