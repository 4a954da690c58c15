/**
 * The command line of a command declared with `flags` (command-spec.ts): node:util parseArgs over the
 * declared flags (parse-flags.ts: an unknown flag names the close one), then each flag's environment
 * variable and default for the flags not given.
 */
import type { ParseArgsConfig } from 'node:util';
import { ENV, envValue, type Environment } from '../environment.js';
import type { CommandSpec, FlagSpecs, FlagValues } from './command-spec.js';
import { parseFlags } from './parse-flags.js';

export interface ParsedCommandLine<S extends FlagSpecs> {
  /** Every flag's value: the command line's, else its environment variable's, else its default. */
  values: FlagValues<S>;
  /** What the command line gave, nothing else (for settings whose precedence is their own: the store's). */
  given: FlagValues<S>;
  positionals: string[];
  /** `--help` or `-h` was given. */
  help: boolean;
}

/**
 * parseArgs' options for the spec's flags. A short form two flags share belongs to the one that goes with
 * `sub` (ccusage gives `-i` to `--id` in `session` and to `--instances` in the period reports), else to the
 * first declared.
 */
function parseArgsOptions(flags: FlagSpecs, sub?: string): NonNullable<ParseArgsConfig['options']> {
  const owner = new Map<string, string>();
  for (const [name, f] of Object.entries(flags)) {
    if (f.short === undefined) continue;
    const held = owner.get(f.short);
    const mine = sub !== undefined && f.only?.includes(sub) === true;
    if (held === undefined || (mine && !(flags[held]!.only?.includes(sub!) ?? false))) owner.set(f.short, name);
  }
  const options: NonNullable<ParseArgsConfig['options']> = {};
  for (const [name, f] of Object.entries(flags))
    options[name] = {
      type: f.type,
      ...(f.short !== undefined && owner.get(f.short) === name ? { short: f.short } : {}),
    };
  return { ...options, help: { type: 'boolean', short: 'h' } };
}

export function parseCommandLine<S extends FlagSpecs>(
  spec: CommandSpec & { flags?: S },
  argv: readonly string[],
  o: { sub?: string; env?: Environment } = {},
): ParsedCommandLine<S> {
  const env = o.env ?? ENV;
  const parsed = parseFlags({
    args: [...argv],
    allowPositionals: spec.positionals !== undefined,
    options: parseArgsOptions(spec.flags ?? {}, o.sub),
  });
  const raw = parsed.values as Record<string, string | boolean | undefined>;
  const given: Record<string, string | boolean> = {};
  const values: Record<string, string | boolean> = {};
  for (const [name, f] of Object.entries(spec.flags ?? {})) {
    const v = raw[name];
    if (v !== undefined) given[name] = v;
    const value = v ?? (f.env !== undefined ? envValue(f.env, env) : undefined) ?? f.default;
    if (value !== undefined) values[name] = value;
  }
  return {
    values: values as FlagValues<S>,
    given: given as FlagValues<S>,
    positionals: parsed.positionals,
    help: raw.help === true,
  };
}

/** The first flag given that does not go with `sub` (its `only` leaves `sub` out), or undefined. */
export function misplacedFlag(
  flags: FlagSpecs,
  given: Record<string, unknown>,
  sub: string,
): { flag: string; only: readonly string[] } | undefined {
  for (const [name, f] of Object.entries(flags))
    if (given[name] !== undefined && f.only !== undefined && !f.only.includes(sub)) return { flag: name, only: f.only };
  return undefined;
}
