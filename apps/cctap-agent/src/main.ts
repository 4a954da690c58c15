#!/usr/bin/env node
/**
 * `cctap-agent`: what a developer machine installs (one bundled file, no ClickHouse, see README "Laptop
 * install"). It dispatches to the agent's commands the way `cctap` dispatches to its own: --help,
 * --version, `help <command>`, "did you mean" for a typo, --debug for stack traces.
 */
import { readFileSync } from 'node:fs';
import { EXIT } from '../../cctap/dist/exit-codes.js';
import { suggest } from '../../cctap/dist/flags/parse-flags.js';
import { reportFailure, setDebug } from '../../cctap/dist/failure.js';
import { ENV } from '../../cctap/dist/environment.js';
import { AGENT_COMMANDS } from './commands.js';

// The collector writes checkpoints that name transcript files: private to the user, as `cctap` makes them.
process.umask(0o077);

let commandName = '';

async function main(args: string[]): Promise<number> {
  setDebug(args.includes('--debug') || ENV.CCTAP_DEBUG === '1');
  const [name, ...rest] = args.filter((a) => a !== '--debug');
  commandName = name ?? '';
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
  (err: unknown) => {
    process.exitCode = reportFailure(commandName, err);
  },
);
