/**
 * One declaration per command: its name, summary, usage and options. The command line is parsed from it
 * (parse-command.ts for `flags`, the kit's loadConfig for `shape`), `--help` is written from it
 * (command-help.ts) and so are the README's flag tables (docs/flag-tables.ts, `npm run docs:flags`).
 *
 * A command's options are one of two kinds:
 * - `flags`: a one-shot command's flags (report, sql, prices, migrate, statusline, nats-config), parsed by
 *   node:util parseArgs; a flag may fall back to one environment variable.
 * - `shape`: the kit's config shape (zod, with `.meta({ description, arg })`) of a command that also takes a
 *   `--config` file and CCTAP_<OPTION> variables (up, collect, the services, provision, alerts).
 *
 * This module holds types only, so a command that never prints its help (statusline, run every few hundred
 * ms) does not load the kit or zod for it.
 */
import type { z } from 'zod';

export interface FlagSpec {
  type: 'string' | 'boolean';
  /** One letter (`-s`). */
  short?: string;
  /** What the value is, in the help and the README (`FILE`, `URL`); none for a switch. */
  arg?: string;
  description: string;
  /** The value when neither the flag nor its environment variable gives one. */
  default?: string;
  /** The default as a reader sees it, when no single value is applied (`this machine's zone`). */
  shownDefault?: string;
  /** The environment variable read when the flag is not given (an empty value counts as unset). */
  env?: string;
  /** The sub-commands this flag goes with (`report blocks`); shown before its description. */
  only?: readonly string[];
  /** A heading this flag is listed under (`ccusage's flags`); flags without one come first. */
  group?: string;
}

export type FlagSpecs = Readonly<Record<string, FlagSpec>>;

export interface CommandSpec {
  /** As typed after `cctap` (`report`, `alerts silence`). */
  name: string;
  /** One line for `cctap help`. */
  summary: string;
  /** The `usage:` line(s) and what the command does: the head of its `--help`. */
  usage: string;
  /** What `--help` says after the options. */
  notes?: string;
  flags?: FlagSpecs;
  /** The words it takes besides flags (`"<query>"`, `daily|weekly|…`); a command without them takes none. */
  positionals?: string;
  shape?: z.ZodRawShape;
  /** Sub-commands with options of their own (`alerts list`, `alerts silence`, …). */
  subcommands?: readonly CommandSpec[];
}

/** The parsed value of one flag: a string, or true/false for a switch. */
export type FlagValue<F extends FlagSpec> = F['type'] extends 'boolean' ? boolean : string;

export type FlagValues<S extends FlagSpecs> = { [K in keyof S]?: FlagValue<S[K]> };
