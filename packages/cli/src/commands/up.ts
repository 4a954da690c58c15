import type { Command } from './registry.js';

export const command: Command = {
  summary: 'run the whole pipeline in one process on embedded defaults',
  async run() {
    console.error('cctap up: the single-process mode is not built yet. Run `npm test` to see what exists.');
    return 1;
  },
};
