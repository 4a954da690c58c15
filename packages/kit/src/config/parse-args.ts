/**
 * Command-line flags -> raw values: `--name value`, `--name=value`, `--flag` (true), `--no-flag` (false);
 * a flag given several times collects every value. `booleans` names flags that never take a value.
 * Flag names are kebab-case and map to camelCase fields (`--metrics-port` -> metricsPort).
 */
import { dict } from './dict.js';

export type RawValue = string | boolean | string[];

export function camel(flag: string): string {
  return flag.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

export function kebab(field: string): string {
  return field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

export interface ParsedArgs {
  values: Record<string, RawValue>;
  positionals: string[];
}

export function parseArgs(argv: readonly string[], booleans: ReadonlySet<string> = new Set()): ParsedArgs {
  const values = dict<RawValue>();
  const positionals: string[] = [];
  const add = (field: string, v: string | boolean) => {
    const prev = values[field];
    if (prev === undefined || typeof v === 'boolean' || typeof prev === 'boolean') values[field] = v;
    else values[field] = Array.isArray(prev) ? [...prev, v] : [prev, v];
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--')) {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq >= 0 ? eq : undefined);
    const field = camel(name);
    if (eq >= 0) {
      add(field, arg.slice(eq + 1));
    } else if (booleans.has(field)) {
      add(field, true);
    } else if (name.startsWith('no-') && booleans.has(camel(name.slice(3)))) {
      add(camel(name.slice(3)), false);
    } else {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) add(field, true);
      else {
        add(field, next);
        i++;
      }
    }
  }
  return { values, positionals };
}
