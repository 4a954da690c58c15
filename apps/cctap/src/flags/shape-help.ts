/**
 * `--help` of a command declared with a config shape (command-spec.ts), answered before the command loads its
 * work (the services, the NATS client, the engine): the same text, from the same check, as the kit's loadConfig
 * would throw once all of that is loaded.
 */
import type { z } from 'zod';
import { helpOf } from '@cctap/kit/shape';
import { EXIT } from '../exit-codes.js';
import type { CommandSpec } from './command-spec.js';

/** Prints the help when `argv` asks for it and returns the exit code; null when it does not ask. */
export function printShapeHelp(spec: CommandSpec & { shape: z.ZodRawShape }, argv: readonly string[]): number | null {
  const text = helpOf(spec.shape, argv, spec.usage);
  if (text === null) return null;
  console.log(text);
  return EXIT.ok;
}
