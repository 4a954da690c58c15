/**
 * Service configuration: one zod schema per service (the kit's base fields merged with its own), values
 * from, lowest to highest precedence: schema defaults < config file (`--config`, YAML or JSON) <
 * environment (CCTAP_<FIELD>, plus well-known names such as NATS_URL) < flags. Empty strings count as unset.
 * Parsed once at boot; an invalid value is a ConfigError naming the flag, printed as one line.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ConfigError } from '../errors.js';
import { aliasesOf, flagsOf, helpOf, isListField, kindOf } from './config-help.js';
import { HelpRequest, UnknownOptionError } from './option-errors.js';
import { cctapEnvName, ENV_ALIASES } from './env-names.js';
import { camel, kebab, parseArgs, type RawValue } from './parse-args.js';
import { dict } from './dict.js';

/** Renames alias keys to their fields, for the fields this service has (its own fields win over aliases). */
function resolveAliases<T>(shape: Shape, values: Record<string, T>): Record<string, T> {
  const aliases = aliasesOf(shape);
  const out = dict<T>();
  for (const [k, v] of Object.entries(values)) out[Object.hasOwn(aliases, k) ? aliases[k]! : k] = v;
  return out;
}

const SECRET = /password|token|secret|seed|creds|key$/i;

type Shape = z.ZodRawShape;

function normalize(shape: Shape, raw: Record<string, unknown>): Record<string, unknown> {
  const out = dict<unknown>();
  for (const [k, v] of Object.entries(raw)) {
    if (v === '' || v === undefined) continue;
    const field = shape[k] as z.ZodType | undefined;
    const kind = field ? kindOf(field) : 'unknown';
    if (kind === 'array')
      out[k] = Array.isArray(v)
        ? v
        : typeof v === 'string'
          ? v
              .split(',')
              .map((s) => s.trim())
              .filter(Boolean)
          : [v];
    else if (kind === 'boolean' && typeof v === 'string')
      out[k] = !['0', 'false', 'no', 'off'].includes(v.toLowerCase());
    else if (kind === 'record' && (typeof v === 'string' || Array.isArray(v))) out[k] = pairs(k, v);
    else if (Array.isArray(v) && field && isListField(field)) out[k] = v.map(String).join(',');
    else out[k] = Array.isArray(v) ? v[v.length - 1] : v;
  }
  return out;
}

/**
 * A mapping given on the command line or in the environment: `--labels team=core,env=prod` (or the flag
 * repeated). A config file gives it as a mapping.
 */
function pairs(field: string, v: string | readonly unknown[]): Record<string, string> {
  const out = dict<string>();
  for (const item of (Array.isArray(v) ? v : [v]).flatMap((x) => String(x).split(','))) {
    if (item.trim() === '') continue;
    const eq = item.indexOf('=');
    if (eq <= 0)
      throw new ConfigError(
        `invalid configuration: --${kebab(field)}: expected NAME=VALUE pairs separated by commas, got '${item}'`,
      );
    out[item.slice(0, eq).trim()] = item.slice(eq + 1).trim();
  }
  return out;
}

export interface LoadConfigOptions<S extends Shape> {
  shape: S;
  argv: readonly string[];
  /** The environment, read by the application and passed down (a library never reads process.env). */
  env: Readonly<Record<string, string | undefined>>;
  /** What `--help` prints above the generated option list: the usage line and what the command does. */
  usage?: string;
}

export function loadConfig<S extends Shape>(o: LoadConfigOptions<S>): z.infer<z.ZodObject<S>> {
  const schema = z.strictObject(o.shape);
  const booleans = new Set(
    Object.entries(o.shape)
      .filter(([, t]) => kindOf(t as z.ZodType) === 'boolean')
      .map(([k]) => k),
  );
  const help = helpOf(o.shape, o.argv, o.usage);
  if (help !== null) throw new HelpRequest(help);
  const parsedArgs = parseArgs(o.argv, booleans);
  const positionals = parsedArgs.positionals;
  const flags = resolveAliases(o.shape, parsedArgs.values);
  // Own keys only: `--constructor` must be an unknown option, not Object.prototype's member.
  const unknownFlag = Object.keys(flags).find((k) => !Object.hasOwn(o.shape, k));
  if (unknownFlag !== undefined) throw new UnknownOptionError(`--${kebab(unknownFlag)}`, flagsOf(o.shape));
  if (positionals.length > 0) throw new ConfigError(`unexpected argument '${positionals[0]}'`);

  const env = o.env;
  const fromEnv: Record<string, RawValue> = {};
  for (const key of Object.keys(o.shape)) {
    const v = env[cctapEnvName(key)];
    if (v !== undefined) fromEnv[key] = v;
  }
  for (const [name, key] of Object.entries(ENV_ALIASES)) {
    const v = env[name];
    if (v !== undefined && key in o.shape && fromEnv[key] === undefined) fromEnv[key] = v;
  }

  const file = (flags.config ?? fromEnv.config) as string | undefined;
  let fromFile: Record<string, unknown> = {};
  if (typeof file === 'string' && file !== '') {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new ConfigError(`--config: cannot read ${file}: ${(err as Error).message}`);
    }
    let parsed: unknown;
    try {
      parsed = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
    } catch (err) {
      throw new ConfigError(
        `--config: ${file} is not valid ${file.endsWith('.json') ? 'JSON' : 'YAML'}: ${(err as Error).message.split('\n')[0]}`,
      );
    }
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed))
      fromFile = fileOptions(o.shape, parsed as Record<string, unknown>, file);
    else if (parsed != null) throw new ConfigError(`--config: ${file} must hold a mapping of option names to values`);
  }

  const merged = { ...normalize(o.shape, fromFile), ...normalize(o.shape, fromEnv), ...normalize(o.shape, flags) };
  const result = schema.safeParse(merged);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const key = String(issue.path[0] ?? (issue as { keys?: string[] }).keys?.[0] ?? '');
    const what =
      issue.code === 'unrecognized_keys'
        ? `unknown option --${kebab((issue as { keys: string[] }).keys[0]!)}`
        : `--${kebab(key)}: ${issue.message}`;
    throw new ConfigError(`invalid configuration: ${what}`);
  }
  return result.data;
}

/**
 * A config file's keys as fields: spelled as the flags (`metrics-port`) or as the fields (`metricsPort`),
 * aliases included. A key that is no option stops the load: a typo must not silently fall back to a default.
 */
function fileOptions(shape: Shape, raw: Record<string, unknown>, file: string): Record<string, unknown> {
  const aliases = aliasesOf(shape);
  const fields = dict<unknown>();
  for (const [key, v] of Object.entries(raw)) {
    const field = camel(key);
    if (!Object.hasOwn(shape, field) && !Object.hasOwn(aliases, field)) {
      throw new UnknownOptionError(key, [...Object.keys(shape), ...Object.keys(aliases)].map(kebab), file);
    }
    fields[field] = v;
  }
  return resolveAliases(shape, fields);
}

/** The configuration with secrets masked, for the boot log line. */
export function redactConfig(config: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config)) {
    if (v !== undefined && SECRET.test(k) && !/file$/i.test(k)) out[k] = '[redacted]';
    else if (typeof v === 'string' && /^[a-z]+:\/\/[^/]*:[^@/]*@/i.test(v))
      out[k] = v.replace(/\/\/([^:/]*):[^@/]*@/, '//$1:[redacted]@');
    else out[k] = v;
  }
  return out;
}
