/**
 * `--help` of a command declared with `flags` (command-spec.ts): its usage, its options in the layout of the
 * kit's generated help (the commands declared with a config shape get theirs from the kit's loadConfig),
 * then its notes. The kit's light entry (no zod) is loaded only here, when a help is asked for.
 */
import { EXIT } from '../exit-codes.js';
import type { CommandSpec, FlagSpec } from './command-spec.js';

/** What a flag does, as the help and the README say it: `blocks: …` for a flag of some sub-commands only. */
export function flagDescription(f: FlagSpec): string {
  return `${f.only ? `${f.only.join(', ')}: ` : ''}${f.description}`;
}

/** The flag's default as a reader sees it. */
const shownDefault = (f: FlagSpec): string | undefined => f.default ?? f.shownDefault;

/** `(env CCTAP_DATA; default ~/.cctap/data)` after the description in the help. */
function envAndDefault(f: FlagSpec): string {
  const parts = [
    ...(f.env ? [`env ${f.env}`] : []),
    ...(shownDefault(f) !== undefined ? [`default ${shownDefault(f)}`] : []),
  ];
  return parts.length > 0 ? ` (${parts.join('; ')})` : '';
}

export async function helpText(spec: CommandSpec): Promise<string> {
  const { formatOption, HELP_OPTION_LINE } = await import('@cctap/kit/light');
  const entries = Object.entries(spec.flags ?? {});
  const groups = [...new Set(entries.map(([, f]) => f.group))].sort((a, b) =>
    a === undefined ? -1 : b === undefined ? 1 : 0,
  );
  const lines = [spec.usage.trimEnd(), ''];
  for (const group of groups) {
    lines.push(group === undefined ? 'options:' : `${group}:`);
    for (const [name, f] of entries.filter(([, x]) => x.group === group))
      lines.push(
        formatOption({
          flag: `--${name}`,
          arg: f.arg ?? '',
          description: `${flagDescription(f)}${envAndDefault(f)}`,
          aliases: [],
          repeatable: false,
          default: undefined,
          ...(f.short !== undefined ? { short: f.short } : {}),
        }),
      );
    // `--help` closes the command's own options (the first list).
    if (group === groups[0]) lines.push(HELP_OPTION_LINE);
    lines.push('');
  }
  if (groups.length === 0) lines.push('options:', HELP_OPTION_LINE, '');
  if (spec.notes) lines.push(spec.notes.trimEnd());
  return lines.join('\n').trimEnd();
}

/** Prints the help of `spec` on stdout; resolves to the exit code for the caller to return. */
export async function printHelp(spec: CommandSpec): Promise<typeof EXIT.ok> {
  console.log(await helpText(spec));
  return EXIT.ok;
}
