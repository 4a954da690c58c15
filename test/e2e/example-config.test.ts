/**
 * The example config shipped in deploy/cctap.example.yaml, loaded by the real commands: every key it sets is
 * an option of `cctap up` and of `cctap collect` (the loader refuses any other, naming it), and every key it
 * shows commented out is an option of one of them, so uncommenting one never breaks a start.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/paths.js';
import { startNats, type TestNats } from '../support/nats.js';
import { cli } from './support/run-cctap.js';

const EXAMPLE = join(REPO_ROOT, 'deploy/cctap.example.yaml');
const text = readFileSync(EXAMPLE, 'utf8');

/** `# key: value` lines: settings shown commented out (prose comments never start with a lower-case key and a colon). */
const commentedKeys = [...text.matchAll(/^# ([a-z][a-z0-9-]*):(?: |$)/gm)].map((m) => m[1]!);
const activeKeys = [...text.matchAll(/^([a-z][a-z0-9-]*):/gm)].map((m) => m[1]!);

describe('deploy/cctap.example.yaml', () => {
  let nats: TestNats;
  let dir: string;

  beforeAll(async () => {
    nats = await startNats();
    dir = mkdtempSync(join(tmpdir(), 'cctap-example-config-'));
  });
  afterAll(async () => {
    await nats?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sets keys and shows commented ones (the patterns below find them)', () => {
    expect(activeKeys).toEqual(expect.arrayContaining(['privacy', 'metrics-port']));
    expect(commentedKeys).toEqual(expect.arrayContaining(['nats', 'data', 'root', 'webhook-url']));
  });

  it('runs cctap collect --once as it is', async () => {
    const r = await cli(
      [
        'collect',
        '--config',
        EXAMPLE,
        '--once',
        '--nats',
        nats.url,
        '--root',
        join(dir, 'no-claude'),
        '--state',
        join(dir, 'state'),
      ],
      {},
      60_000,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).toMatch(/backfill done: 0 files/);
  });

  it("is accepted by cctap up: the loader gets past every key to up's own cross-checks", async () => {
    // --data with --clickhouse is refused only after the options (file included) were read and validated: a
    // file with a key that is no option stops before, with another line. Nothing heavy starts either way.
    const r = await cli(
      ['up', '--config', EXAMPLE, '--data', join(dir, 'data'), '--clickhouse', 'http://127.0.0.1:1'],
      {},
      60_000,
    );
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(
      "cctap up: invalid configuration: use either --clickhouse URL or --data DIR, not both. Run 'cctap up --help' for its options.",
    );
  });

  it('a key that is no option stops the command with one line naming it and the option meant', async () => {
    const bad = join(dir, 'typo.yaml');
    writeFileSync(bad, text.replace(/^metrics-port:/m, 'metrics-prot:'));
    const commands = ['up', 'collect'];
    const runs = await Promise.all(
      commands.map((command) => cli([command, '--config', bad, '--nats', nats.url], {}, 60_000)),
    );
    runs.forEach((r, i) => {
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr.trim()).toBe(
        `cctap ${commands[i]}: --config ${bad}: unknown option 'metrics-prot'; did you mean metrics-port?`,
      );
    });
  });

  it('every key shown commented out is an option of up or collect, and every key set is an option of both', async () => {
    const [up, collect] = await Promise.all([
      cli(['up', '--help'], {}, 60_000),
      cli(['collect', '--help'], {}, 60_000),
    ]);
    expect(up.code).toBe(0);
    expect(collect.code).toBe(0);
    const optionIn = (help: string, key: string) =>
      new RegExp(`^ {2}(?:--[a-z0-9-]+, )*--${key}[ ,\\n]`, 'm').test(`${help}\n`);
    for (const key of commentedKeys)
      expect(
        optionIn(up.stdout, key) || optionIn(collect.stdout, key),
        `# ${key}: is an option of neither command`,
      ).toBe(true);
    for (const key of activeKeys)
      expect(
        optionIn(up.stdout, key) && optionIn(collect.stdout, key),
        `${key}: is not an option of both commands`,
      ).toBe(true);
  });
});
