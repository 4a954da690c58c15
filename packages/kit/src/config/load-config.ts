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
import { LOG_LEVELS } from '../log/logger.js';
import { kebab, parseArgs, type RawValue } from './parse-args.js';

export const baseConfigShape = {
  config: z.string().optional(),
  logLevel: z.enum(LOG_LEVELS).default('info'),
  logFormat: z.enum(['json', 'pretty']).default('json'),
  /** Port of /livez /readyz /metrics; 0 picks a free port (logged). */
  metricsPort: z.coerce.number().int().min(0).max(65535).default(9464),
  metricsHost: z.string().default('0.0.0.0'),
  /** Hard deadline for a graceful stop, ms; keep it below the orchestrator's grace period. */
  shutdownTimeoutMs: z.coerce.number().int().positive().default(25_000),
};

export const natsConfigShape = {
  nats: z.string().default('nats://127.0.0.1:4222'),
  natsUser: z.string().optional(),
  natsPassword: z.string().optional(),
  natsToken: z.string().optional(),
  natsNkeySeedFile: z.string().optional(),
  natsCredsFile: z.string().optional(),
  natsTlsCa: z.string().optional(),
  natsTlsCert: z.string().optional(),
  natsTlsKey: z.string().optional(),
  /** Topology prefix (several pipelines on one server); empty in production. */
  prefix: z.string().default(''),
};

/** Environment names that are conventions of their own, not CCTAP_*. */
const ENV_ALIASES: Record<string, string> = { NATS_URL: 'nats', CLICKHOUSE_URL: 'clickhouse' };

/**
 * Short flag (and config file key) names for the NATS connection, as operators type them
 * (`--creds FILE`, `--user U --password P`, `--tls-ca FILE`); each means its `--nats-*` field.
 */
const FIELD_ALIASES: Record<string, string> = {
  creds: 'natsCredsFile',
  user: 'natsUser',
  password: 'natsPassword',
  token: 'natsToken',
  nkey: 'natsNkeySeedFile',
  tlsCa: 'natsTlsCa',
  tlsCert: 'natsTlsCert',
  tlsKey: 'natsTlsKey',
};

/** Renames alias keys to their fields, for the fields this service has (its own fields win over aliases). */
function resolveAliases<T>(shape: Shape, values: Record<string, T>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const [k, v] of Object.entries(values)) {
    const target = FIELD_ALIASES[k];
    out[target && !(k in shape) && target in shape ? target : k] = v;
  }
  return out;
}

const SECRET = /password|token|secret|seed|creds|key$/i;

type Shape = z.ZodRawShape;

function innerType(t: z.ZodType): string {
  let cur = t as unknown as { def: { type: string; innerType?: unknown } };
  while (cur.def.innerType && ['optional', 'default', 'nullable', 'prefault'].includes(cur.def.type)) cur = cur.def.innerType as typeof cur;
  return cur.def.type;
}

function normalize(shape: Shape, raw: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (v === '' || v === undefined) continue;
    const field = shape[k] as z.ZodType | undefined;
    const kind = field ? innerType(field) : 'unknown';
    if (kind === 'array') out[k] = Array.isArray(v) ? v : typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : [v];
    else if (kind === 'boolean' && typeof v === 'string') out[k] = !['0', 'false', 'no', 'off'].includes(v.toLowerCase());
    else out[k] = Array.isArray(v) ? v[v.length - 1] : v;
  }
  return out;
}

export interface LoadConfigOptions<S extends Shape> {
  shape: S;
  argv: readonly string[];
  env?: NodeJS.ProcessEnv;
}

export function loadConfig<S extends Shape>(o: LoadConfigOptions<S>): z.infer<z.ZodObject<S>> {
  const schema = z.strictObject(o.shape);
  const booleans = new Set(Object.entries(o.shape).filter(([, t]) => innerType(t as z.ZodType) === 'boolean').map(([k]) => k));
  const parsedArgs = parseArgs(o.argv, booleans);
  const flags = resolveAliases(o.shape, parsedArgs.values);
  const positionals = parsedArgs.positionals;
  if (positionals.length > 0) throw new ConfigError(`unexpected argument '${positionals[0]}'`);

  const env = o.env ?? process.env;
  const fromEnv: Record<string, RawValue> = {};
  for (const key of Object.keys(o.shape)) {
    const name = `CCTAP_${kebab(key).replace(/-/g, '_').toUpperCase()}`;
    const v = env[name];
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
      throw new ConfigError(`--config: ${file} is not valid ${file.endsWith('.json') ? 'JSON' : 'YAML'}: ${(err as Error).message.split('\n')[0]}`);
    }
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) fromFile = resolveAliases(o.shape, parsed as Record<string, unknown>);
    else if (parsed != null) throw new ConfigError(`--config: ${file} must hold a mapping of option names to values`);
  }

  const merged = { ...normalize(o.shape, fromFile), ...normalize(o.shape, fromEnv), ...normalize(o.shape, flags) };
  const result = schema.safeParse(merged);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const key = String(issue.path[0] ?? (issue as { keys?: string[] }).keys?.[0] ?? '');
    const what = issue.code === 'unrecognized_keys' ? `unknown option --${kebab((issue as { keys: string[] }).keys[0]!)}` : `--${kebab(key)}: ${issue.message}`;
    throw new ConfigError(`invalid configuration: ${what}`);
  }
  return result.data;
}

/** The configuration with secrets masked, for the boot log line. */
export function redactConfig(config: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config)) {
    if (v !== undefined && SECRET.test(k) && !/file$/i.test(k)) out[k] = '[redacted]';
    else if (typeof v === 'string' && /^[a-z]+:\/\/[^/]*:[^@/]*@/i.test(v)) out[k] = v.replace(/\/\/([^:/]*):[^@/]*@/, '//$1:[redacted]@');
    else out[k] = v;
  }
  return out;
}
