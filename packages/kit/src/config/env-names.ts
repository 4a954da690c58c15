/**
 * The environment variables that set a config field: CCTAP_<FIELD> (upper case, `-` -> `_`), and for a few
 * fields a name that is a convention of its own (NATS_URL, CLICKHOUSE_URL), read when CCTAP_<FIELD> is unset.
 */
import { kebab } from './parse-args.js';

/** Environment names that are conventions of their own, not CCTAP_*, by the field they set. */
export const ENV_ALIASES: Readonly<Record<string, string>> = { NATS_URL: 'nats', CLICKHOUSE_URL: 'clickhouse' };

export const cctapEnvName = (field: string): string => `CCTAP_${kebab(field).replace(/-/g, '_').toUpperCase()}`;

/** Every name that sets `field`, in precedence order. */
export function envNamesOf(field: string): string[] {
  return [
    cctapEnvName(field),
    ...Object.entries(ENV_ALIASES)
      .filter(([, f]) => f === field)
      .map(([name]) => name),
  ];
}
