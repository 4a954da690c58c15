#!/usr/bin/env node
/**
 * `cctap-agent`: what a developer machine installs (one bundled file, no ClickHouse, see README "Laptop
 * install"). It dispatches to the agent's commands the way `cctap` dispatches to its own: --help,
 * --version, `help <command>`, "did you mean" for a typo, --debug for stack traces.
 */
import { readFileSync } from 'node:fs';
import { EXIT } from '../../cctap/dist/exit-codes.js';
import { suggest } from '../../cctap/dist/flags/parse-flags.js';
import { ENV } from '../../cctap/dist/environment.js';
import { AGENT_COMMANDS } from './commands.js';

// The collector writes checkpoints that name transcript files: private to the user, as `cctap` makes them.
process.umask(0o077);

let commandName = '';
let commandArgs: string[] = [];
let debug = false;

async function main(args: string[]): Promise<number> {
  debug = args.includes('--debug') || ENV.CCTAP_DEBUG === '1';
  // failure.ts imports @cctap/kit (NATS, metrics, zod): loaded up front only when it must know, so that
  // `cctap-agent guard`, run before every tool call, does not evaluate the whole kit in the bundle.
  if (debug) (await import('../../cctap/dist/failure.js')).setDebug(true);
  const [name, ...rest] = args.filter((a) => a !== '--debug');
  commandName = name ?? '';
  commandArgs = rest;
  if (name === '--version' || name === '-v' || name === 'version') {
    // The package's own manifest (dist/main.js -> ../package.json), in the repository and once installed.
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    console.log(`cctap-agent ${pkg.version}`);
    return EXIT.ok;
  }
  const helpFor = name === 'help' && rest[0] !== undefined ? AGENT_COMMANDS[rest[0]] : undefined;
  if (helpFor) return (await helpFor()).command.run(['--help']);
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    const lines = await Promise.all(
      Object.entries(AGENT_COMMANDS).map(
        async ([n, load]) => `  ${n.padEnd(12)} ${(await load()).command.spec.summary}`,
      ),
    );
    console.log(
      `usage: cctap-agent <command> [options]   (cctap-agent --version)\n\ncommands:\n${lines.join('\n')}\n\nRun 'cctap-agent <command> --help' for a command's options.`,
    );
    return name ? EXIT.ok : EXIT.failure;
  }
  const load = AGENT_COMMANDS[name];
  if (!load) {
    const close = suggest(name, Object.keys(AGENT_COMMANDS));
    console.error(
      `cctap-agent: unknown command '${name}'${close ? `; did you mean ${close}?` : '.'} Run 'cctap-agent help' for the list.`,
    );
    return EXIT.usage;
  }
  return (await load()).command.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  async (err: unknown) => {
    // Claude Code lets a call through on any exit code but 0 and 2: a guard set to fail closed that failed to
    // load still blocks.
    if (commandName === 'guard') {
      const { blockUnjudged, guardFailsClosed } = await import('../../cctap/dist/guard/fail-closed.js');
      if (guardFailsClosed(commandArgs)) {
        process.exitCode = blockUnjudged((err instanceof Error ? err.message : String(err)).split('\n')[0]!);
        return;
      }
    }
    const { reportFailure, setDebug } = await import('../../cctap/dist/failure.js');
    setDebug(debug);
    process.exitCode = reportFailure(commandName, err);
  },
);
