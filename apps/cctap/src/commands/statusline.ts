/**
 * `cctap statusline`: Claude Code's status-line command. Reads the session JSON Claude Code writes on stdin
 * and prints one line: model, this session's cost, today's cost, the active 5-hour block (time left, burn
 * rate) and the context window in use.
 *
 *   a `cctap up` runs on --data   -> one loopback request answers the figures from its store (the report
 *                                    functions) and records the input's quota readings (statusline/)
 *   none runs                     -> this session's cost from its transcript; today and the block are left
 *                                    out (they need the store) and quota readings are not recorded
 *
 * Claude Code blanks the line on a non-zero exit or empty output, so this command never fails: any error,
 * a bad flag included, prints a short line and exits 0 (`--debug` adds the stack on stderr). It is light
 * on purpose (node:http to ask `up`; the transcript and price packages only when none runs).
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { readStdin } from '../read-stdin.js';
import { ENV } from '../environment.js';
import { EXIT } from '../exit-codes.js';
import type { CommandSpec } from '../flags/command-spec.js';
import { parseCommandLine } from '../flags/parse-command.js';
import { askRunningUp } from '../up/query-client.js';
import type { StatuslineAnswer } from '../statusline/statusline-answerer.js';
import { quotaReportOf } from '../statusline/quota-report.js';
import { renderLine, shortModelName } from '../statusline/render-line.js';
import { parseStatusInput, type StatusInput } from '../statusline/status-input.js';
import type { Command } from './registry.js';
import { SUMMARIES } from './summaries.js';

export const spec = {
  name: 'statusline',
  summary: SUMMARIES.statusline,
  usage: `usage: cctap statusline [--data DIR] [--tz ZONE] [--timeout-ms N] [--debug]

Claude Code's status line. In ~/.claude/settings.json:
  "statusLine": { "type": "command", "command": "cctap statusline", "padding": 0 }

Prints one line from the session JSON on stdin: model | session cost | today's cost | the active 5-hour
block (cost, time left, cost per hour) | context used. The figures come from the 'cctap up' running on
--data, which also records the input's rate_limits and context_window readings as quota events; without
one, the session's cost comes from its transcript.`,
  flags: {
    data: {
      type: 'string',
      arg: 'DIR',
      env: 'CCTAP_DATA',
      shownDefault: '~/.cctap/data',
      description: "the store of the 'cctap up' that answers",
    },
    tz: { type: 'string', arg: 'ZONE', shownDefault: "this machine's zone", description: "the day 'today' means" },
    'timeout-ms': {
      type: 'string',
      arg: 'N',
      shownDefault: '1500',
      description: "how long to wait for 'cctap up' before answering from the transcript",
    },
    debug: { type: 'boolean', description: 'on an error, the stack on stderr (the line and exit 0 stay)' },
  },
} as const satisfies CommandSpec;

/** The store's default directory (DEFAULT_DATA_DIR of @cctap/store, not imported: it would load the engine). */
const DEFAULT_DATA = join(homedir(), '.cctap', 'data');
/** Claude Code writes the input at once and closes stdin; a terminal (a person trying it) sends nothing. */
const STDIN_MS = 1000;
/** A busy `up` (a backfill) is not waited for long: the transcript answers instead. */
const UP_MS = 1500;

async function line(input: StatusInput, dataDir: string, tz: string, upMs: number): Promise<string> {
  const now = Date.now();
  let note: string | undefined;
  try {
    const quota = quotaReportOf(input);
    const a = await askRunningUp<StatuslineAnswer>(
      dataDir,
      { op: 'statusline', query: { sessionId: input.sessionId ?? '', tz }, ...(quota ? { quota } : {}) },
      upMs,
    );
    if (a.answered) return renderLine({ input, figures: a.result.figures, now });
    note = 'no cctap up';
  } catch (err) {
    // `up` answered with an error: say so, and still show what the transcript gives.
    note = `cctap up: ${(err as Error).message.slice(0, 60)}`;
  }
  if (!input.transcriptPath) return renderLine({ input, figures: null, note, now });
  const { transcriptCost } = await import('../statusline/transcript-cost.js');
  return renderLine({
    input,
    figures: null,
    transcriptCostUsd: (await transcriptCost(input.transcriptPath)).costUsd,
    note,
    now,
  });
}

export const command: Command = {
  spec,
  async run(argv) {
    let input: StatusInput | null = null;
    // main.ts takes --debug out of argv (it works with every command): read where it left it.
    let debug = process.argv.includes('--debug') || ENV.CCTAP_DEBUG === '1';
    try {
      // An unknown flag is the line below, not main.ts's usage error: Claude Code must get a line and exit 0.
      const { values, help } = parseCommandLine(spec, argv);
      debug ||= values.debug === true;
      if (help) {
        const { printHelp } = await import('../flags/command-help.js');
        return await printHelp(spec);
      }
      // No zone given: '' lets `up` (on this machine) use the machine's zone; Intl costs ~17 ms to load here.
      const tz = values.tz ?? '';
      if (tz) new Intl.DateTimeFormat('en-US', { timeZone: tz }); // a bad --tz fails here, as one line
      const upMs = values['timeout-ms'] === undefined ? UP_MS : Number(values['timeout-ms']);
      if (!Number.isInteger(upMs) || upMs <= 0)
        throw new Error(`--timeout-ms must be a positive number of milliseconds, got '${values['timeout-ms']}'`);
      input = parseStatusInput(await readStdin(STDIN_MS));
      console.log(await line(input, values.data ?? DEFAULT_DATA, tz, upMs));
    } catch (err) {
      const model = input ? shortModelName(input) : null;
      console.log(
        `${model ? `${model} | ` : ''}cctap statusline: ${((err as Error).message ?? String(err)).split('\n')[0]!.slice(0, 100)}`,
      );
      if (debug) console.error((err as Error).stack ?? err);
    }
    // Claude Code blanks the line on any other code.
    return EXIT.ok;
  },
};
