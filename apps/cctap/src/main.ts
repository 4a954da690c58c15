#!/usr/bin/env node
/** The `cctap` command: dispatches to one sub-command (see commands/registry.ts). */
import { readFileSync } from 'node:fs';
import { COMMANDS } from './commands/registry.js';
import { SUMMARIES } from './commands/summaries.js';
import { suggest } from './flags/parse-flags.js';
import { EXIT } from './exit-codes.js';
import { ENV } from './environment.js';

// Everything cctap writes holds what transcripts contain (the store, checkpoints, up.json, price files): files
// are 0600 for every writer in this process, the embedded engine's included (kit's privateDir has the why).
process.umask(0o077);

/** The command being run, for the failure line (after --debug is taken out, so `cctap --debug up` says `up`). */
let commandName = '';
let commandArgs: string[] = [];
let debug = false;

async function main(args: string[]): Promise<number> {
  // --debug works with every command (stack traces of failures, failure.ts): taken out before any parsing.
  debug = args.includes('--debug') || ENV.CCTAP_DEBUG === '1';
  // Commands report their own failures through failure.ts too; it is loaded up front only when it must know.
  if (debug) (await import('./failure.js')).setDebug(true);
  const argv = args.filter((a) => a !== '--debug');
  const [name, ...rest] = argv;
  commandName = name ?? '';
  commandArgs = rest;
  if (name === '--version' || name === '-v' || name === 'version') {
    // From the package itself (dist/main.js -> ../package.json), so it cannot drift from what was installed.
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    console.log(`cctap ${pkg.version}`);
    return EXIT.ok;
  }
  // `cctap help up` is `cctap up --help`.
  const helpFor = name === 'help' && rest[0] !== undefined ? COMMANDS[rest[0]] : undefined;
  if (helpFor) return (await helpFor()).command.run(['--help']);
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    // From the summaries, not the commands: the list loads none of them.
    const lines = Object.entries(SUMMARIES).map(([n, summary]) => `  ${n.padEnd(12)} ${summary}`);
    console.log(
      `usage: cctap <command> [options]   (cctap --version)\n\ncommands:\n${lines.join('\n')}\n\nRun 'cctap <command> --help' for a command's options.`,
    );
    return name ? EXIT.ok : EXIT.failure;
  }
  const load = COMMANDS[name];
  if (!load) {
    const close = suggest(name, Object.keys(COMMANDS));
    console.error(
      `cctap: unknown command '${name}'${close ? `; did you mean ${close}?` : '.'} Run 'cctap help' for the list.`,
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
    // load still blocks (guard/fail-closed.ts).
    if (commandName === 'guard') {
      const { blockUnjudged, guardFailsClosed } = await import('./guard/fail-closed.js');
      if (guardFailsClosed(commandArgs)) {
        process.exitCode = blockUnjudged((err instanceof Error ? err.message : String(err)).split('\n')[0]!);
        return;
      }
    }
    // Loaded only on a failure (the kit's light entry, for its error classes): a command that succeeds,
    // `cctap statusline` run every few hundred ms by Claude Code, does not load them.
    const [{ withHelpHint }, { reportFailure, setDebug }] = await Promise.all([
      import('./flags/usage-exit.js'),
      import('./failure.js'),
    ]);
    setDebug(debug);
    // node:util parseArgs refuses an unknown or malformed flag with a TypeError of its own code: that is a
    // usage error (one line, exit 2), whichever command parsed it, not a crash.
    const code = (err as { code?: unknown } | null)?.code;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_')) {
      const command = commandName;
      console.error(`cctap ${command}: ${withHelpHint(command, (err as Error).message)}`);
      process.exitCode = EXIT.usage;
      return;
    }
    process.exitCode = reportFailure(commandName, err);
  },
);
