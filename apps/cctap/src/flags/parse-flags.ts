/**
 * `parseFlags`: node:util's parseArgs with a friendlier refusal of an unknown flag. The error keeps parseArgs'
 * code (ERR_PARSE_ARGS_UNKNOWN_OPTION, which main.ts turns into one line and exit 2) and its message names the
 * flag and, when one declared flag is close to it, that flag (`unknown option '--dta'; did you mean --data?`).
 *
 * `suggest` is the one rule for "did you mean": flags of both parsers (this one and the kit's config loader,
 * see commands/run-command.ts), config file keys and command names all go through it.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

/**
 * Optimal string alignment distance: insertions, deletions, substitutions and swaps of two neighbours cost 1
 * each (a swap is the commonest typo: `reprot`).
 */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/** How many edits still read as a typo of a word this long (none for one or two letters: `-x` is not `-h`). */
function tolerance(length: number): number {
  if (length <= 2) return 0;
  if (length <= 5) return 1;
  if (length <= 8) return 2;
  return 3;
}

const bare = (s: string) => s.replace(/^-+/, '').toLowerCase();

/**
 * The one candidate close to what was typed, or undefined when none is, or when two are equally close (a guess
 * between two would mislead). Leading dashes and case are ignored (`--metricsPort` finds `--metrics-port`);
 * the candidate comes back as given.
 */
export function suggest(typed: string, candidates: Iterable<string>): string | undefined {
  const t = bare(typed);
  let best: string | undefined;
  let bestDistance = Infinity;
  let tied = false;
  for (const c of new Set(candidates)) {
    const dist = editDistance(t, bare(c));
    if (dist < bestDistance) {
      best = c;
      bestDistance = dist;
      tied = false;
    } else if (dist === bestDistance && bare(c) !== bare(best ?? '')) {
      tied = true;
    }
  }
  if (best === undefined || tied || bestDistance === 0 || bestDistance > tolerance(t.length)) return undefined;
  return best;
}

/** `unknown option '--dta'; did you mean --data?` (or without the question when nothing is close). */
export function unknownOptionMessage(option: string, known: Iterable<string>): string {
  const close = suggest(option, known);
  return `unknown option '${option}'${close ? `; did you mean ${close}?` : ''}`;
}

/** The declared flags of a parseArgs configuration, as typed on a command line (`--data`, `-h`). */
function declaredFlags(config: ParseArgsConfig): string[] {
  return Object.entries(config.options ?? {}).flatMap(([name, o]) => [
    `--${name}`,
    ...(o.short ? [`-${o.short}`] : []),
  ]);
}

/** A parse error that names the unknown flag and the close one, for callers that print their own line. */
export interface UnknownFlagError extends TypeError {
  code: 'ERR_PARSE_ARGS_UNKNOWN_OPTION';
  option: string;
  suggestion: string | undefined;
}

/** node:util parseArgs, same configuration and result; an unknown flag's error says which flag was meant. */
export function parseFlags<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (err) {
    const e = err as { code?: unknown; message?: unknown };
    // Told apart by its code; the flag itself is only in the message (node's error has no field for it).
    const option =
      e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && typeof e.message === 'string'
        ? /'([^']+)'/.exec(e.message)?.[1]
        : undefined;
    if (option === undefined) throw err;
    const known = declaredFlags(config);
    const out = new TypeError(unknownOptionMessage(option, known)) as UnknownFlagError;
    out.code = 'ERR_PARSE_ARGS_UNKNOWN_OPTION';
    out.option = option;
    out.suggestion = suggest(option, known);
    throw out;
  }
}
