/**
 * The options of a command declared with a config `shape` (command-spec.ts): the kit's loadConfig over the
 * shape (defaults < --config file < CCTAP_* environment < flags), with the spec's usage as the head of the
 * generated `--help`, and the environment this app read (environment.ts).
 */
import type { z } from 'zod';
import { loadConfig } from '@cctap/kit';
import { ENV, type Environment } from '../environment.js';
import type { CommandSpec } from './command-spec.js';

export function loadCommandConfig<S extends z.ZodRawShape>(
  spec: CommandSpec & { shape: S },
  argv: readonly string[],
  env: Environment = ENV,
): z.infer<z.ZodObject<S>> {
  return loadConfig({ shape: spec.shape, argv, env, usage: spec.usage });
}
