/**
 * The README's flag tables, written from the commands' declarations (flags/command-spec.ts), so a flag is
 * declared once: each table sits between `<!-- flags:<command> -->` and `<!-- /flags:<command> -->` in
 * README.md. `npm run docs:flags` rewrites them; `--check` (test/e2e/readme-flags.test.ts) says which
 * command's table no longer matches its declaration.
 */
import { optionsOf } from '@cctap/kit';
import { COMMANDS } from '../commands/registry.js';
import type { CommandSpec } from '../flags/command-spec.js';
import { flagDescription } from '../flags/command-help.js';

export const FIX_COMMAND = 'npm run docs:flags';

interface Row {
  flag: string;
  env: string;
  default: string;
  description: string;
}

/** A table cell: pipes escaped (inside code spans too, as GitHub's tables need). */
const cell = (s: string) => s.replace(/\|/g, '\\|');
const code = (s: string) => (s === '' ? '' : `\`${s}\``);

function rowsOf(spec: CommandSpec): Row[] {
  if (spec.shape)
    return optionsOf(spec.shape).map((o) => ({
      flag: [o.flag, ...o.aliases]
        .map((f, i) => code(`${f}${i === 0 && o.arg ? ` ${o.arg}` : ''}`))
        .join(', ')
        .concat(o.repeatable ? ' (repeatable)' : ''),
      env: o.env.map(code).join(', '),
      default: code(o.default ?? ''),
      description: o.description,
    }));
  return Object.entries(spec.flags ?? {}).map(([name, f]) => ({
    flag: code(`${f.short ? `-${f.short}, ` : ''}--${name}${f.arg ? ` ${f.arg}` : ''}`),
    env: code(f.env ?? ''),
    default: f.default !== undefined ? code(f.default) : (f.shownDefault ?? ''),
    description: flagDescription(f),
  }));
}

/** The markdown table of one command's flags (`--help` and the config keys are the same options). */
function flagTable(spec: CommandSpec): string {
  return [
    '| flag | environment | default | what it does |',
    '| --- | --- | --- | --- |',
    ...rowsOf(spec).map((r) =>
      `| ${cell(r.flag)} | ${cell(r.env)} | ${cell(r.default)} | ${cell(r.description)} |`.replace(/ {2,}\|/g, ' |'),
    ),
  ].join('\n');
}

/** Every declaration with options of its own: each command, and each sub-command that has its own. */
export async function allSpecs(): Promise<CommandSpec[]> {
  const specs = await Promise.all(Object.values(COMMANDS).map(async (load) => (await load()).command.spec));
  return specs.flatMap((s) => (s.subcommands ? [...s.subcommands] : [s]));
}

const begin = (name: string) => `<!-- flags:${name} -->`;
const end = (name: string) => `<!-- /flags:${name} -->`;

export interface TablesResult {
  /** README.md with every table as its declaration writes it. */
  text: string;
  /** Commands whose table differed from their declaration. */
  drifted: string[];
  /** Commands without markers in README.md: their tables are added at its end (the "Every command's flags" section). */
  missing: string[];
}

/** A table of its own, folded, for a command that had none yet. */
const newSection = (spec: CommandSpec) =>
  `\n<details><summary><code>cctap ${spec.name}</code></summary>\n\n${begin(spec.name)}\n${flagTable(spec)}\n${end(spec.name)}\n\n</details>\n`;

/** Writes each spec's table between its markers; a command without markers gets a folded section at the end. */
export function withFlagTables(readme: string, specs: readonly CommandSpec[]): TablesResult {
  let text = readme;
  const drifted: string[] = [];
  const missing: string[] = [];
  for (const spec of specs) {
    const from = text.indexOf(begin(spec.name));
    const to = text.indexOf(end(spec.name));
    if (from < 0 || to < from) {
      missing.push(spec.name);
      text = `${text.trimEnd()}\n${newSection(spec)}`;
      continue;
    }
    const start = from + begin(spec.name).length;
    const wanted = `\n${flagTable(spec)}\n`;
    if (text.slice(start, to) !== wanted) drifted.push(spec.name);
    text = text.slice(0, start) + wanted + text.slice(to);
  }
  return { text, drifted, missing };
}
