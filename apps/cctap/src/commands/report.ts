/**
 * `cctap report daily|weekly|monthly|session|blocks`: team usage from the store, as tables or ccusage-shaped JSON.
 * `cctap report budgets`: spend against the budgets of an alerter rules file, with the projection.
 * `cctap report activity`: what the sessions did (docs/activity.md).
 */
import type {
  ActivityReport,
  BlocksReport,
  PeriodReport,
  ReportOptions,
  SessionDetail,
  SessionEntries,
} from '@cctap/reports';
import type { Store, StoreOptions } from '@cctap/store';
import type * as ReportQueries from '../report-queries.js';
import type * as ReportRender from '../report-render.js';
import type { PriceBook } from '@cctap/prices';
import { EXIT } from '../exit-codes.js';
import type { CommandSpec } from '../flags/command-spec.js';
import { helpText, printHelp } from '../flags/command-help.js';
import { misplacedFlag, parseCommandLine } from '../flags/parse-command.js';
import { explicitPriceFile, PRICES_FLAG } from '../price-file.js';
import { ENV, envValue } from '../environment.js';
import { STORE_FLAGS, storeOptionsOf } from '../store-flags.js';
import { loopbackStore, UpNotAnsweringError } from '../up/loopback-store.js';
import { UpQueryError } from '../up/query-client.js';
import type { Command } from './registry.js';
import { SUMMARIES } from './summaries.js';

type Queries = typeof ReportQueries;
type Render = typeof ReportRender;

/** Every report: those other than the period reports (report-queries.ts) are loaded when asked for. */
const reports = () => import('@cctap/reports');

const KINDS = ['daily', 'weekly', 'monthly', 'session', 'blocks', 'budgets', 'activity'] as const;
type Kind = (typeof KINDS)[number];

const CCUSAGE = "ccusage's flags (same names, short forms and defaults)";
const OWN = "cctap's own";
const PERIODS = ['daily', 'weekly', 'monthly'] as const;

export const spec = {
  name: 'report',
  summary: SUMMARIES.report,
  usage: 'usage: cctap report daily|weekly|monthly|session|blocks|budgets|activity [options]',
  positionals: KINDS.join('|'),
  notes: `While 'cctap up' runs on the same embedded store, the question is sent to it over loopback.
Tokens are counted once per API response (the line with the largest total wins, across files);
models without a price are shown as unpriced, never as $0. Every report names the price book it used.`,
  flags: {
    since: {
      type: 'string',
      short: 's',
      arg: 'DATE',
      group: CCUSAGE,
      description: "first day, inclusive: 20260212 or 2026-02-12, in the report's zone",
    },
    until: {
      type: 'string',
      short: 'u',
      arg: 'DATE',
      group: CCUSAGE,
      description: "last day, inclusive: 20260212 or 2026-02-12, in the report's zone",
    },
    timezone: {
      type: 'string',
      short: 'z',
      arg: 'ZONE',
      group: CCUSAGE,
      shownDefault: "this machine's zone",
      description: 'IANA zone of days, weeks, months, and of the times in blocks tables (JSON times stay UTC)',
    },
    tz: { type: 'string', arg: 'ZONE', group: CCUSAGE, description: 'the same as --timezone' },
    json: {
      type: 'boolean',
      short: 'j',
      group: CCUSAGE,
      description:
        "ccusage's JSON (daily[] / weekly[] / monthly[] / sessions[] / blocks[], totals, modelBreakdowns, …); fields are added, never renamed (period, unpricedModels, priceBook, denials)",
    },
    order: {
      type: 'string',
      short: 'o',
      arg: 'asc|desc',
      group: CCUSAGE,
      shownDefault: 'asc; sessions: desc',
      description: 'periods and blocks oldest or newest first; sessions by cost, highest or lowest first',
    },
    breakdown: {
      type: 'boolean',
      short: 'b',
      group: CCUSAGE,
      description: 'one row per model under each period of a table (└─ opus-4-8)',
    },
    project: {
      type: 'string',
      short: 'p',
      arg: 'NAME',
      group: CCUSAGE,
      description:
        "only sessions of this project: its path, last path part, or Claude Code's folder name (-home-me-app, as --project=-home-me-app); a session's project is the directory it started in",
    },
    instances: {
      type: 'boolean',
      short: 'i',
      only: PERIODS,
      group: CCUSAGE,
      description: 'grouped by project; in JSON { projects: { <path>: [rows] }, totals }',
    },
    id: {
      type: 'string',
      short: 'i',
      arg: 'SESSION',
      only: ['session'],
      group: CCUSAGE,
      description:
        "each API response of that session (ccusage's session --id JSON: sessionId, totalCost, totalTokens, entries[])",
    },
    'start-of-week': {
      type: 'string',
      short: 'w',
      arg: 'DAY',
      only: ['weekly', 'activity'],
      group: CCUSAGE,
      shownDefault: "monday (ccusage 20's weekly)",
      description: 'first day of a week: sunday … saturday',
    },
    compact: {
      type: 'boolean',
      group: CCUSAGE,
      description:
        'the narrow table (period, models, input, output, cost); also below 100 columns or when the full table does not fit',
    },
    color: {
      type: 'boolean',
      group: CCUSAGE,
      shownDefault: 'colour on a terminal only',
      description: 'colour in tables; FORCE_COLOR (0 = off) and NO_COLOR are honoured after the flags',
    },
    'no-color': { type: 'boolean', group: CCUSAGE, description: 'no colour in tables' },
    offline: {
      type: 'boolean',
      short: 'O',
      group: CCUSAGE,
      description: 'accepted for ccusage scripts, no effect: reports never fetch prices',
    },
    'no-offline': { type: 'boolean', group: CCUSAGE, description: 'accepted, no effect' },
    active: {
      type: 'boolean',
      short: 'a',
      only: ['blocks'],
      group: CCUSAGE,
      description: "the running block only, in ccusage's status view (usage, burn rate, projection, limit)",
    },
    recent: {
      type: 'boolean',
      short: 'r',
      only: ['blocks'],
      group: CCUSAGE,
      description: 'blocks of the last 3 days (and the active one)',
    },
    'token-limit': {
      type: 'string',
      short: 't',
      arg: 'N|max',
      only: ['blocks'],
      group: CCUSAGE,
      shownDefault: 'max in tables',
      description:
        'the % column, REMAINING and PROJECTED rows; in JSON, tokenLimitStatus on the active block when given',
    },
    'session-length': {
      type: 'string',
      short: 'n',
      arg: 'HOURS',
      only: ['blocks'],
      group: CCUSAGE,
      shownDefault: '5',
      description: 'block length',
    },
    by: {
      type: 'string',
      arg: 'user|host|project|branch|model',
      group: OWN,
      description:
        "one row per period and value (blocks: one timeline per value); --by project is each line's working directory, where --instances and --project use the session's",
    },
    period: {
      type: 'string',
      arg: 'day|week|month',
      only: ['activity'],
      group: OWN,
      shownDefault: 'day',
      description:
        'one row per day, week or month: sessions, prompts, turns, tool calls and errors, denials, active time, files, lines added and removed, commits, pull requests, cache misses (docs/activity.md)',
    },
    detail: {
      type: 'boolean',
      only: ['session'],
      group: OWN,
      description:
        "the analyzer's analysis of each session (tools, common tool sequences, intervals, state transitions)",
    },
    ...(Object.fromEntries(Object.entries(STORE_FLAGS).map(([k, f]) => [k, { ...f, group: OWN }])) as {
      [K in keyof typeof STORE_FLAGS]: (typeof STORE_FLAGS)[K] & { group: string };
    }),
    rules: {
      type: 'string',
      arg: 'FILE',
      env: 'CCTAP_RULES',
      only: ['budgets'],
      group: OWN,
      description: 'the alerter rules file whose budgets: are reported (what cctap up / alerter --rules read)',
    },
    prices: {
      ...PRICES_FLAG,
      group: OWN,
      description:
        're-price the store with this price file over the shipped book first; all history, nothing re-ingested',
    },
  },
} as const satisfies CommandSpec;

export const command: Command = {
  spec,
  async run(argv) {
    // ccusage gives `-i` to `--id` in `session` and to `--instances` in the period reports (parse-command.ts).
    const guess = argv.find((a): a is Kind => (KINDS as readonly string[]).includes(a));
    // An unknown flag is one line naming the closest flag (main.ts prints it, exit 2).
    const { given: values, positionals, help } = parseCommandLine(spec, argv, guess ? { sub: guess } : {});
    const kind = positionals[0] as Kind | undefined;
    if (help) return printHelp(spec);
    if (!kind || !KINDS.includes(kind) || positionals.length > 1) {
      console.error(await helpText(spec));
      return EXIT.usage;
    }
    const misplaced = misplacedFlag(spec.flags, values, kind);
    if (misplaced) {
      console.error(`cctap report: --${misplaced.flag} goes with \`cctap report ${misplaced.only.join('|')}\``);
      return EXIT.usage;
    }
    const sink = await import('../report-queries.js');
    if (kind === 'budgets') return reportBudgets(values, sink);
    let opts: ReportOptions;
    let storeOpts: StoreOptions;
    let tokenLimit: string | undefined;
    let period: ActivityReport['period'] | undefined;
    try {
      if (values.tz !== undefined && values.timezone !== undefined && values.tz !== values.timezone) {
        throw new sink.ReportOptionError('--tz and --timezone name the same setting; give one');
      }
      tokenLimit =
        values['token-limit'] === undefined ? undefined : (await reports()).checkTokenLimit(values['token-limit']);
      period = values.period === undefined ? undefined : (await reports()).checkActivityPeriod(values.period);
      opts = {
        ...(values.by ? { by: sink.checkDimension(values.by) } : {}),
        ...(values.since ? { since: values.since } : {}),
        ...(values.until ? { until: values.until } : {}),
        // ccusage's default: the machine's zone, not UTC.
        tz: values.tz ?? values.timezone ?? sink.machineTimeZone(),
        ...(values['start-of-week'] ? { startOfWeek: sink.checkWeekDay(values['start-of-week']) } : {}),
        ...(values.order ? { order: sink.checkOrder(values.order) } : {}),
        ...(values.project ? { project: values.project } : {}),
        ...(values.instances ? { instances: true } : {}),
        ...(values['session-length'] ? { sessionHours: sink.checkSessionHours(values['session-length']) } : {}),
      };
      storeOpts = await storeOptionsOf(values);
    } catch (err) {
      if (err instanceof sink.ReportOptionError || err instanceof sink.StoreFlagError) {
        console.error(`cctap report: ${err.message}`);
        return EXIT.usage;
      }
      throw err;
    }
    const priceFile = explicitPriceFile(values.prices);
    // Loaded with --prices only: the book's reader brings @cctap/kit, which a report otherwise does not need.
    const book = priceFile ? (await import('../price-book-of.js')).bookOrComplain('report', priceFile) : null;
    if (priceFile && !book) return EXIT.usage;
    let answers: unknown[];
    // Sent first: the rendering loads while the store (a running `up`, usually) computes the answers.
    const answering = onReportStore(storeOpts, sink, book, async (store) =>
      kind === 'blocks'
        ? [await (await reports()).blocksReport(store, opts)]
        : kind === 'activity'
          ? [await (await reports()).activityReport(store, { ...opts, ...(period ? { period } : {}) })]
          : values.id !== undefined
            ? [await (await reports()).sessionEntries(store, values.id)]
            : [
                await sink.periodReport(store, kind, opts),
                ...(values.detail ? [await (await reports()).sessionDetails(store, opts)] : []),
              ],
    );
    const rendering = import('../report-render.js');
    // Awaited below once the answers are in; a report that fails never shows anything.
    rendering.catch(() => undefined);
    try {
      answers = await answering;
    } catch (err) {
      if (err instanceof sink.ReportOptionError) {
        console.error(`cctap report: ${err.message}`);
        return EXIT.usage;
      }
      if (err instanceof UpQueryError || err instanceof sink.StoreUnavailableError) {
        console.error(`cctap report: ${err.message}`);
        return EXIT.failure;
      }
      if (sink.isUnknownTable(err)) {
        console.error(`cctap report: no cctap tables in the store; run 'cctap migrate' (or start 'cctap sink') first`);
        return EXIT.failure;
      }
      throw err;
    }
    const view = await rendering;
    const style = view.tableStyle(
      { columns: process.stdout.columns, isTTY: process.stdout.isTTY === true, env: ENV },
      { color: values.color, noColor: values['no-color'] },
    );
    const render = { style, compact: values.compact, breakdown: values.breakdown };
    if (kind === 'activity') {
      const activity = answers[0] as ActivityReport;
      console.log(
        values.json ? JSON.stringify(view.activityReportJson(activity), null, 2) : view.renderActivityReport(activity),
      );
      return EXIT.ok;
    }
    if (values.id !== undefined) {
      const entries = answers[0] as SessionEntries | null;
      if (values.json) console.log(JSON.stringify(entries, null, 2));
      else if (entries) console.log(view.renderSessionEntries(entries, opts.tz!, render));
      else {
        console.error(
          `cctap report: no usage of session '${values.id}' in the store (\`cctap report session\` lists them)`,
        );
        return EXIT.failure;
      }
      return EXIT.ok;
    }
    const [report, details] = answers as [PeriodReport | BlocksReport, SessionDetail[] | undefined];
    if ('blocks' in report)
      return printBlocks(report, view, {
        ...render,
        json: values.json === true,
        active: values.active,
        recent: values.recent,
        tokenLimit,
      });
    if (values.json) {
      console.log(JSON.stringify({ ...view.periodReportJson(report), ...(details ? { details } : {}) }, null, 2));
    } else {
      console.log(view.renderPeriodReport(report, render));
      if (details) console.log(`\n${view.renderSessionDetails(details)}`);
    }
    return EXIT.ok;
  },
};

/** `report budgets`: the budgets of `--rules FILE` (or CCTAP_RULES) against the store's spend, now. */
async function reportBudgets(
  values: { rules?: string; json?: boolean; color?: boolean; 'no-color'?: boolean; data?: string; clickhouse?: string },
  sink: Queries,
): Promise<number> {
  const file = values.rules || envValue('CCTAP_RULES');
  if (!file) {
    console.error('cctap report: budgets needs --rules FILE (or CCTAP_RULES): the alerter rules file with budgets:');
    return EXIT.usage;
  }
  let budgets;
  // The rule file's reader comes with the alerter: loaded for this report only, not for every report's start.
  const { loadRuleFile, RulesConfigError } = await import('@cctap/alerter');
  try {
    budgets = (await loadRuleFile(file, ENV)).budgets;
  } catch (err) {
    const problems = err instanceof RulesConfigError ? err.problems.join('; ') : (err as Error).message;
    console.error(`cctap report: --rules ${file}: ${problems}`);
    return EXIT.failure;
  }
  let report;
  try {
    report = await onReportStore(await storeOptionsOf(values), sink, null, (store) =>
      reports().then((r) => r.budgetReport(store, budgets, Date.now())),
    );
  } catch (err) {
    if (
      err instanceof UpQueryError ||
      err instanceof sink.StoreUnavailableError ||
      err instanceof sink.StoreFlagError
    ) {
      console.error(`cctap report: ${err.message}`);
      return EXIT.failure;
    }
    if (sink.isUnknownTable(err)) {
      console.error(`cctap report: no cctap tables in the store; run 'cctap migrate' (or start 'cctap sink') first`);
      return EXIT.failure;
    }
    throw err;
  }
  if (values.json) console.log(JSON.stringify(report, null, 2));
  else {
    const view = await import('../report-render.js');
    const style = view.tableStyle(
      { columns: process.stdout.columns, isTTY: process.stdout.isTTY === true, env: ENV },
      { color: values.color, noColor: values['no-color'] },
    );
    console.log(view.renderBudgetReport(report, { style }));
  }
  return EXIT.ok;
}

/** `report blocks`: ccusage's --active / --recent filters and --token-limit status, as JSON or a table. */
function printBlocks(
  report: BlocksReport,
  view: Render,
  o: ReportRender.RenderOptions & { json: boolean; active?: boolean; recent?: boolean; tokenLimit?: string },
): number {
  const blocks = view.viewBlocks(report.blocks, { active: o.active, recent: o.recent });
  const limit = view.tokenLimitOf(report.blocks, o.tokenLimit);
  if (o.json) {
    const shown = blocks.map((b) => {
      const status = o.tokenLimit !== undefined ? view.tokenLimitStatus(b, limit) : undefined;
      return status ? { ...b, tokenLimitStatus: status } : b;
    });
    console.log(
      JSON.stringify(
        {
          blocks: shown,
          ...(o.active && shown.length === 0 ? { message: 'No active block' } : {}),
          priceBook: report.priceBook,
        },
        null,
        2,
      ),
    );
    return EXIT.ok;
  }
  if (o.active && blocks.length === 0) {
    console.log('No active session block found.');
    return EXIT.ok;
  }
  if (o.active && blocks.length === 1 && !report.by) {
    // ccusage's detailed view of the running block; the limit only when one was asked for.
    console.log(
      `${view.renderActiveBlock(blocks[0]!, report.tz, o.tokenLimit === undefined ? null : limit, o)}\n\n${view.priceBookLine(report.priceBook)}`,
    );
    return EXIT.ok;
  }
  console.log(view.renderBlocksReport({ ...report, blocks }, { ...o, allBlocks: report.blocks }));
  return EXIT.ok;
}

/**
 * Runs `report` on the store: the embedded store admits one process, so while `cctap up` holds it, the report
 * runs on up's store over loopback (priced with up's book: a running pipeline keeps one book); otherwise on the
 * store opened here, re-priced first with `book` when one was given. An `up` that does not answer its ping is
 * as good as none (loopback-store.ts); the report is read-only, so running it again here changes nothing.
 */
async function onReportStore<T>(
  storeOpts: StoreOptions,
  sink: Queries,
  book: PriceBook | null,
  report: (store: Store) => Promise<T>,
): Promise<T> {
  const up = storeOpts.url === undefined ? loopbackStore(storeOpts.dataDir ?? sink.DEFAULT_DATA_DIR) : null;
  if (up && (!book || (await up.ping()))) {
    if (book)
      console.error(
        `cctap report: 'cctap up' is running on this store and prices with its own book; restart it with --prices to use ${book.version}`,
      );
    try {
      return await report(up);
    } catch (err) {
      if (!(err instanceof UpNotAnsweringError)) throw err;
    }
  }
  // The engine or the ClickHouse client is loaded only when the store is opened here; the price sync with a book.
  const { openStore } = await import('@cctap/store/light');
  const store = await openStore(storeOpts);
  try {
    if (book) await (await import('@cctap/store')).syncPrices(store, book);
    return await report(store);
  } finally {
    await store.close();
  }
}
