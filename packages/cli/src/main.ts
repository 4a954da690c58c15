#!/usr/bin/env node
/** The `cctap` command: dispatches to one sub-command (see commands/registry.ts). */
import { COMMANDS } from './commands/registry.js';

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    const lines = await Promise.all(
      Object.entries(COMMANDS).map(async ([n, load]) => `  ${n.padEnd(12)} ${(await load()).command.summary}`),
    );
    console.log(`usage: cctap <command> [options]\n\ncommands:\n${lines.join('\n')}\n\nRun 'cctap <command> --help' for a command's options.`);
    return name ? 0 : 1;
  }
  const load = COMMANDS[name];
  if (!load) {
    console.error(`cctap: unknown command '${name}'. Run 'cctap help' for the list.`);
    return 2;
  }
  return (await load()).command.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`cctap: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exitCode = 1;
  },
);
