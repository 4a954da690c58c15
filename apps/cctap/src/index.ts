/** @cctap/cli: the `cctap` command; the command table is exported for the tests that check every command. */
export { COMMANDS } from './commands/registry.js';
