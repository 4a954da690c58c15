export { COMMANDS, type Command } from './commands/registry.js';
