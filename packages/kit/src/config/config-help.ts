/**
 * `--help` of every command whose options are a config shape (loadConfig): the option list is generated from
 * the shape itself, so the flags a command parses and the flags its help shows are one declaration. A field
 * says what it is with zod metadata: `.meta({ description: '…', arg: 'FILE' })` (`arg` names the value in the
 * listing; enums, numbers and booleans name theirs by themselves).
 */
import { z } from 'zod';
import { envNamesOf } from './env-names.js';
import { kebab, parseArgs } from './parse-args.js';
import { COMMON_FIELDS } from './common-shape.js';
import { formatOption, HELP_OPTION_LINE, LINE, wrap, type OptionHelp } from './option-line.js';

/**
 * Short flag (and config file key) names for the NATS connection, as operators type them
 * (`--creds FILE`, `--user U --password P`, `--tls-ca FILE`); each means its `--nats-*` field.
 */
const FIELD_ALIASES: Readonly<Record<string, string>> = {
  creds: 'natsCredsFile',
  user: 'natsUser',
  password: 'natsPassword',
  token: 'natsToken',
  nkey: 'natsNkeySeedFile',
  tlsCa: 'natsTlsCa',
  tlsCert: 'natsTlsCert',
  tlsKey: 'natsTlsKey',
};

/** The aliases a shape accepts: those whose field it has and that are not fields of their own. */
export function aliasesOf(shape: z.ZodRawShape): Record<string, string> {
  return Object.fromEntries(
    Object.entries(FIELD_ALIASES).filter(([alias, field]) => !(alias in shape) && field in shape),
  );
}

interface Wrapped {
  def: {
    type: string;
    innerType?: Wrapped;
    defaultValue?: unknown;
    entries?: Record<string, string>;
    element?: Wrapped;
  };
}

const WRAPPERS = ['optional', 'default', 'nullable', 'prefault', 'pipe'];

/** The field, then each type it wraps (`.optional()`, `.default()` …), down to its core type. */
function* layers(t: z.ZodType): Generator<Wrapped> {
  let cur: Wrapped | undefined = t as unknown as Wrapped;
  while (cur) {
    yield cur;
    cur = WRAPPERS.includes(cur.def.type) ? cur.def.innerType : undefined;
  }
}

/** The field's metadata, on whichever wrapper it was set (`.meta()` before or after `.default()`). */
function metaOf(t: z.ZodType): { description?: string; arg?: string } {
  for (const cur of layers(t)) {
    const m = z.globalRegistry.get(cur as unknown as z.ZodType);
    if (m?.description !== undefined || m?.arg !== undefined)
      return {
        ...(m.description !== undefined ? { description: m.description } : {}),
        ...(typeof m.arg === 'string' ? { arg: m.arg } : {}),
      };
  }
  return {};
}

/**
 * A string field that holds a comma-separated list (`.meta({ list: true })`, e.g. --nats): several values (the
 * flag repeated, a list in the config file) are joined with commas instead of the last one winning.
 */
export function isListField(t: z.ZodType): boolean {
  for (const cur of layers(t)) if (z.globalRegistry.get(cur as unknown as z.ZodType)?.list === true) return true;
  return false;
}

function core(t: z.ZodType): Wrapped {
  let last = t as unknown as Wrapped;
  for (const cur of layers(t)) last = cur;
  return last;
}

/** The field's type under its wrappers (`array`, `boolean`, `record`, …): how a raw value is read for it. */
export function kindOf(t: z.ZodType): string {
  return core(t).def.type;
}

function defaultOf(t: z.ZodType): unknown {
  for (const cur of layers(t)) if (cur.def.type === 'default') return cur.def.defaultValue;
  return undefined;
}

/** Every option of a config shape, in declaration order, as the help lists it. */
export function optionsOf(shape: z.ZodRawShape): OptionHelp[] {
  const aliases = aliasesOf(shape);
  return Object.entries(shape).map(([field, t]) => {
    const type = t as z.ZodType;
    const c = core(type);
    const meta = metaOf(type);
    const kind = c.def.type;
    const element = kind === 'array' && c.def.element ? core(c.def.element as unknown as z.ZodType) : null;
    const arg =
      meta.arg ??
      (kind === 'boolean'
        ? ''
        : kind === 'enum'
          ? Object.values(c.def.entries ?? {}).join('|')
          : kind === 'number' || element?.def.type === 'number'
            ? 'N'
            : 'VALUE');
    const d = defaultOf(type);
    const shown =
      d === undefined ||
      d === false ||
      d === '' ||
      (Array.isArray(d) && d.length === 0) ||
      (typeof d === 'object' && d !== null && Object.keys(d).length === 0)
        ? undefined
        : String(d);
    return {
      flag: `--${kebab(field)}`,
      arg,
      description: meta.description ?? '',
      aliases: Object.entries(aliases)
        .filter(([, f]) => f === field)
        .map(([a]) => `--${kebab(a)}`),
      repeatable: kind === 'array',
      default: shown,
      env: envNamesOf(field),
    };
  });
}

/** The flags a shape accepts on a command line (every field, every alias, --help), for "did you mean". */
export function flagsOf(shape: z.ZodRawShape): string[] {
  return [...optionsOf(shape).flatMap((o) => [o.flag, ...o.aliases]), '--help'];
}

/**
 * `head` (the usage line and what the command does), then one line per option, then where else options
 * come from. The fields named in `common` (the kit's shared config file, logging, probe and NATS fields) come
 * after the command's own, under a heading of their own: what a command is about comes first.
 */
function configHelp(shape: z.ZodRawShape, head: string, common: ReadonlySet<string> = new Set()): string {
  const all = optionsOf(shape);
  const fields = Object.keys(shape);
  const own = all.filter((_, i) => !common.has(fields[i]!));
  const shared = all.filter((_, i) => common.has(fields[i]!));
  return [
    head.trimEnd(),
    '',
    'options:',
    ...own.map(formatOption),
    HELP_OPTION_LINE,
    ...(shared.length > 0
      ? ['', 'common options (config file, logs, probes, NATS connection):', ...shared.map(formatOption)]
      : []),
    '',
    ...wrap(
      'Every option can also be set as CCTAP_<OPTION> (upper case, - -> _; NATS_URL and CLICKHOUSE_URL as they are) or as a key of the --config file (YAML or JSON, keys spelled as the flags: `metrics-port: 9464`); flags win over the environment, which wins over the file.',
      LINE,
    ),
  ].join('\n');
}

/**
 * The help of a command whose options are `shape` when `argv` asks for it (`--help` anywhere, or `-h` as a word),
 * else null. loadConfig's first check, also made by a command before it loads what its work needs.
 */
export function helpOf(shape: z.ZodRawShape, argv: readonly string[], usage = 'usage: cctap [options]'): string | null {
  const booleans = new Set(
    Object.entries(shape)
      .filter(([, t]) => kindOf(t as z.ZodType) === 'boolean')
      .map(([k]) => k),
  );
  const parsed = parseArgs(argv, booleans);
  if (!('help' in parsed.values) && !parsed.positionals.includes('-h')) return null;
  return configHelp(shape, usage, COMMON_FIELDS);
}
