/**
 * One option of a help text, laid out (`--since DATE   first day …`), and the `--help` line every help ends its
 * options with. Apart from the config shapes' help (config-help.ts) because it needs no zod: the commands that
 * declare plain flags print their help with it alone (`@cctap/kit/light`).
 */
export interface OptionHelp {
  /** `--metrics-port` */
  flag: string;
  /** What the value is (`N`, `FILE`, `json|pretty`); empty for a switch. */
  arg: string;
  description: string;
  /** Other spellings of the same flag (`--creds`). */
  aliases: string[];
  repeatable: boolean;
  default: string | undefined;
  /** A short form (`-s`); the config loader's options have none. */
  short?: string;
  /** The environment variables that set it when the flag is not given (`CCTAP_METRICS_PORT`). */
  env: string[];
}

const WIDTH = 34;
/** The line every help lists for itself. */
export const HELP_OPTION_LINE = `  ${'--help, -h'.padEnd(WIDTH)}this help`;
/** Descriptions wrap to stay within this many columns (a common terminal). */
export const LINE = 110;

/** Words of `text` in lines of at most `width` characters (a longer word gets a line of its own). */
export function wrap(text: string, width: number = LINE): string[] {
  const lines: string[] = [];
  let cur = '';
  for (const word of text.split(' ')) {
    if (cur && cur.length + 1 + word.length > width) {
      lines.push(cur);
      cur = word;
    } else {
      cur = cur ? `${cur} ${word}` : word;
    }
  }
  return [...lines, cur];
}

/** One option of a help text: its spellings and value on the left, what it does and its default on the right. */
export function formatOption(
  o: Pick<OptionHelp, 'flag' | 'arg' | 'description' | 'aliases' | 'repeatable' | 'default' | 'short'>,
): string {
  const left = `${[...(o.short ? [`-${o.short}`] : []), o.flag, ...o.aliases].join(', ')}${o.arg ? ` ${o.arg}` : ''}${o.repeatable ? ' ...' : ''}`;
  const right = wrap(
    [o.description, o.default !== undefined ? `(default ${o.default})` : ''].filter(Boolean).join(' '),
    LINE - WIDTH - 2,
  );
  const indent = `  ${''.padEnd(WIDTH)}`;
  const rest = right
    .slice(1)
    .map((l) => `\n${indent}${l}`)
    .join('');
  return left.length < WIDTH ? `  ${left.padEnd(WIDTH)}${right[0]}${rest}` : `  ${left}\n${indent}${right[0]}${rest}`;
}
