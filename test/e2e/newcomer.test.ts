/**
 * A newcomer's first minutes after the README's set-up: `cctap --help`, then `--help` of each command it
 * lists and `-h` of each sub-command their usages name. Every answer exits 0 with a usage, and every `cctap …` hint printed in
 * those answers (banners of usage lines, "run cctap up --demo", "cctap collect --config") names a command,
 * a sub-command and flags that exist: each hint is checked against the help of the command it names.
 * A typo, in a flag of either parser or in a command name, is one line naming what was meant, exit 2.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, type CliResult } from './support/run-cctap.js';

// Generous bounds: a help answers in well under a second on an idle machine, but the suite shares two cores.
const run = (args: readonly string[]) => cli(args, {}, 60_000);

/** Runs every command line, a few at a time (each is a node start; the machine is shared). */
async function runAll(lines: readonly (readonly string[])[]): Promise<CliResult[]> {
  const out: CliResult[] = new Array<CliResult>(lines.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < lines.length) {
        const i = next++;
        out[i] = await run(lines[i]!);
      }
    }),
  );
  return out;
}

/** The command names `cctap --help` lists under "commands:". */
function listedCommands(help: string): string[] {
  const section = help.split(/^commands:$/m)[1] ?? '';
  return [...section.matchAll(/^ {2}([a-z][a-z-]*) /gm)].map((m) => m[1]!);
}

/**
 * Sub-commands a command's usage names, one per usage line: `cctap alerts list …`, `cctap alerts silence …`;
 * of `cctap report daily|weekly|…` the first (alternatives on one usage line share its options).
 */
function subCommands(command: string, help: string): string[] {
  const re = new RegExp(`cctap ${command} ([a-z][a-z-]*)(?:\\|[a-z][a-z-]*)*(?=[ \\n]|$)`, 'g');
  return [...new Set([...help.matchAll(re)].map((m) => m[1]!))];
}

interface Hint {
  text: string;
  /** Words after `cctap` up to the first flag or non-word (`alerts`, `list`). */
  words: string[];
  flags: string[];
}

/**
 * Every `cctap …` in a text. A hint runs to the end of its line, a quote or backtick closing it, or the
 * next `cctap`; `cctap <command>` placeholders are not hints.
 */
function hints(text: string): Hint[] {
  const out: Hint[] = [];
  for (const line of text.split('\n')) {
    const parts = line.split(/(?<![\w/.@-])cctap (?=[a-z-])/).slice(1);
    for (const part of parts) {
      const body = part.split(/['`]/)[0]!;
      const words = /^([a-z][a-z-]*(?: [a-z][a-z-]*)?)/.exec(body)?.[1]?.split(' ') ?? [];
      const flags = [...body.replace(/"[^"]*"/g, '').matchAll(/(?<![\w-])(--[a-z][a-z0-9-]*)/g)].map((m) => m[1]!);
      out.push({ text: `cctap ${body.trim()}`, words, flags });
    }
  }
  return out;
}

const hasFlag = (help: string, flag: string) => new RegExp(`(?<![\\w-])${flag}(?![\\w-])`).test(help);

/** What is wrong with each hint: a command that does not exist, a flag its command's help does not list. */
function problemsOf(
  printed: readonly Hint[],
  commands: readonly string[],
  helpOf: ReadonlyMap<string, string>,
): string[] {
  const problems: string[] = [];
  for (const h of printed) {
    const [command, sub] = h.words;
    if (command === undefined) {
      // `cctap --version`, `cctap --help`: the top level's own flags.
      for (const f of h.flags)
        if (!['--version', '--help'].includes(f)) problems.push(`${h.text}: ${f} is no top-level flag`);
      continue;
    }
    if (!commands.includes(command)) {
      problems.push(`${h.text}: no command '${command}'`);
      continue;
    }
    const own = sub !== undefined && helpOf.has(`${command} ${sub}`) ? `${command} ${sub}` : command;
    for (const f of h.flags) if (!hasFlag(helpOf.get(own)!, f)) problems.push(`${h.text}: 'cctap ${own}' has no ${f}`);
  }
  return problems;
}

describe('a newcomer runs the help of every command', () => {
  let top: CliResult;
  let commands: string[];
  /** `cctap <command> [<sub>] --help` output, keyed by `<command>` or `<command> <sub>`. */
  const helpOf = new Map<string, string>();
  /** Exit code and stderr of each of those runs. */
  const exitOf = new Map<string, string>();

  beforeAll(async () => {
    top = await run(['--help']);
    commands = listedCommands(top.stdout);
    const first = await runAll(commands.map((c) => [c, '--help']));
    commands.forEach((c, i) => {
      helpOf.set(c, first[i]!.stdout);
      exitOf.set(c, `${first[i]!.code} ${first[i]!.stderr}`.trim());
    });
    const subs = commands.flatMap((c) => subCommands(c, helpOf.get(c)!).map((s) => [c, s] as const));
    const second = await runAll(subs.map(([c, s]) => [c, s, '-h']));
    subs.forEach(([c, s], i) => {
      helpOf.set(`${c} ${s}`, second[i]!.stdout);
      exitOf.set(`${c} ${s}`, `${second[i]!.code} ${second[i]!.stderr}`.trim());
    });
  }, 300_000);

  it('cctap --help lists the commands, exit 0', () => {
    expect(top.code, top.stderr).toBe(0);
    expect(commands).toEqual(
      expect.arrayContaining([
        'up',
        'collect',
        'provision',
        'validator',
        'analyzer',
        'alerter',
        'sink',
        'report',
        'alerts',
        'prices',
      ]),
    );
  });

  it('every command answers --help and every sub-command -h with a usage and its options, exit 0', () => {
    const subs = [...helpOf.keys()].filter((k) => k.includes(' '));
    // The sub-commands the usages name, as a newcomer reads them.
    expect(subs).toEqual(
      expect.arrayContaining([
        'alerts list',
        'alerts silence',
        'alerts unsilence',
        'alerts test',
        'prices update',
        'report daily',
      ]),
    );
    for (const [key, help] of helpOf) {
      expect(exitOf.get(key), `cctap ${key} --help`).toBe('0');
      expect(help, `cctap ${key} --help`).toMatch(/^usage:/m);
      expect(help, `cctap ${key} --help`).toMatch(/(?<![\w-])--[a-z]/);
    }
  });

  it('-h is --help (config-loader and parseArgs commands alike)', async () => {
    const short = await runAll([
      ['up', '-h'],
      ['sql', '-h'],
    ]);
    expect(short.map((r) => r.code)).toEqual([0, 0]);
    expect(short[0]!.stdout).toBe(helpOf.get('up'));
    expect(short[1]!.stdout).toBe(helpOf.get('sql'));
  });

  it('every cctap hint printed names a command, sub-command and flags that exist', () => {
    const printed = [top.stdout, ...helpOf.values()].flatMap(hints);
    expect(printed.length).toBeGreaterThan(20);
    expect(problemsOf(printed, commands, helpOf)).toEqual([]);
  });

  it('the hint check catches a made-up command, sub-command flag or flag (negative control)', () => {
    const made = hints(
      "Try 'cctap reprot daily' or cctap alerts list --for 2h, then `cctap up --demo --bogus`; (cctap --verbose)",
    );
    expect(made.map((h) => h.words.join(' '))).toEqual(['reprot daily', 'alerts list', 'up', '']);
    expect(problemsOf(made, commands, helpOf)).toEqual([
      "cctap reprot daily: no command 'reprot'",
      "cctap alerts list --for 2h, then: 'cctap alerts list' has no --for",
      "cctap up --demo --bogus: 'cctap up' has no --bogus",
      'cctap --verbose): --verbose is no top-level flag',
    ]);
  });

  it('a typo in a flag, a config key, a command or an action is one line naming the close one, exit 2', async () => {
    const cases: [string[], string][] = [
      [
        ['up', '--metrics-prot', '0'],
        "cctap up: unknown option '--metrics-prot'; did you mean --metrics-port? Run 'cctap up --help' for its options.",
      ],
      [
        ['migrate', '--dta', '/tmp/x'],
        "cctap migrate: unknown option '--dta'; did you mean --data? Run 'cctap migrate --help' for its options.",
      ],
      [['reprot', 'daily'], "cctap: unknown command 'reprot'; did you mean report? Run 'cctap help' for the list."],
      [
        ['alerts', 'lsit'],
        "cctap alerts: unknown action 'lsit'; did you mean list? Run 'cctap alerts --help' for their options.",
      ],
      [
        ['prices', 'updte'],
        "cctap prices: unexpected 'updte'; did you mean update? Run 'cctap prices --help' for its options.",
      ],
    ];
    const results = await runAll(cases.map(([args]) => args));
    cases.forEach(([args, line], i) => {
      expect(results[i]!.code, `cctap ${args.join(' ')}`).toBe(2);
      expect(results[i]!.stderr.trim(), `cctap ${args.join(' ')}`).toBe(line);
    });
  });
});
