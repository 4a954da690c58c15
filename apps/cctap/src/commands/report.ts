/** `cctap report daily|weekly|monthly|session|blocks`: team usage from the store, as tables or ccusage-shaped JSON. */
import type { ParseArgsConfig } from 'node:util';
import type { BlocksReport, PeriodReport, ReportOptions, SessionDetail, SessionEntries } from '@cctap/reports';
import type { Store, StoreOptions } from '@cctap/store';
import type * as ReportModule from '../report-module.js';
import type { PriceBook } from '@cctap/prices';
import { parseFlags } from '../flags/parse-flags.js';
import { bookOrComplain } from '../price-book-of.js';
import { explicitPriceFile } from '../price-file.js';
import { openLoopbackStore } from '../up/loopback-store.js';
import { UpQueryError } from '../up/query-client.js';
import type { Command } from './registry.js';

type Reports = typeof ReportModule;

const KINDS = ['daily', 'weekly', 'monthly', 'session', 'blocks'] as const;
type Kind = (typeof KINDS)[number];

const USAGE = `usage: cctap report daily|weekly|monthly|session|blocks [options]

ccusage's flags (same names, short forms and defaults):
  -s, --since DATE  -u, --until DATE    inclusive days (20260212 or 2026-02-12) in the report's zone
  -z, --timezone ZONE (or --tz)         IANA zone for days, weeks, months and block times (default: this
                                        machine's zone)
  -j, --json                            ccusage's JSON (daily[] / weekly[] / monthly[] / sessions[] / blocks[],
                                        totals, modelBreakdowns, …)
  -o, --order asc|desc                  periods and blocks oldest first (default) or newest first; sessions
                                        by cost, highest first (default) or lowest first
  -b, --breakdown                       one row per model under each period
  -p, --project NAME                    only sessions of this project: its path, last path part, or Claude
                                        Code's folder name (-home-me-app)
  -i, --instances                       daily, weekly, monthly: grouped by project ({ projects: {…} } in JSON)
  -i, --id SESSION                      session: each API response of that session
  -w, --start-of-week DAY               weekly: sunday … saturday (default monday, as ccusage 20's weekly)
  --compact                             the narrow table (period, models, input, output, cost); also
                                        below 100 columns or when the full table does not fit
  --color | --no-color                  colour is on a terminal only; also FORCE_COLOR, NO_COLOR
  -O, --offline                         accepted, no effect: reports never fetch prices
  blocks: -a, --active (the running block)  -r, --recent (last 3 days)  -t, --token-limit N|max
          -n, --session-length HOURS (default 5)

cctap's own:
  --by user|host|project|branch|model   one row per period and value (blocks: one timeline per value)
  --detail                              session only: the analyzer's analysis of each session (tools,
                                        common tool sequences, intervals, state transitions)
  --clickhouse URL | --data DIR         the store (default ~/.cctap/data)
  --prices FILE                         re-price the store with this price file over the shipped book
                                        first (env CCTAP_PRICES); all history, nothing re-ingested

While 'cctap up' runs on the same embedded store, the question is sent to it over loopback.
Tokens are counted once per API response (the line with the largest total wins, across files);
models without a price are shown as unpriced, never as $0. Every report names the price book it used.`;

/** Flags a kind owns; any other kind refuses them in one line. */
const ONLY: Record<string, readonly Kind[]> = {
  detail: ['session'],
  id: ['session'],
  instances: ['daily', 'weekly', 'monthly'],
  'start-of-week': ['weekly'],
  active: ['blocks'],
  recent: ['blocks'],
  'token-limit': ['blocks'],
  'session-length': ['blocks'],
};

/** ccusage gives `-i` to `--id` in `session` and to `--instances` in the period reports. */
function flagConfig(argv: string[], kind: Kind | undefined) {
  return {
    args: argv,
    allowPositionals: true,
    options: {
      by: { type: 'string' },
      since: { type: 'string', short: 's' },
      until: { type: 'string', short: 'u' },
      tz: { type: 'string' },
      timezone: { type: 'string', short: 'z' },
      'start-of-week': { type: 'string', short: 'w' },
      json: { type: 'boolean', short: 'j' },
      detail: { type: 'boolean' },
      clickhouse: { type: 'string' },
      data: { type: 'string' },
      prices: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      order: { type: 'string', short: 'o' },
      breakdown: { type: 'boolean', short: 'b' },
      compact: { type: 'boolean' },
      project: { type: 'string', short: 'p' },
      instances: { type: 'boolean', ...(kind === 'session' ? {} : { short: 'i' }) },
      id: { type: 'string', ...(kind === 'session' ? { short: 'i' } : {}) },
      active: { type: 'boolean', short: 'a' },
      recent: { type: 'boolean', short: 'r' },
      'token-limit': { type: 'string', short: 't' },
      'session-length': { type: 'string', short: 'n' },
      color: { type: 'boolean' },
      'no-color': { type: 'boolean' },
      offline: { type: 'boolean', short: 'O' },
      'no-offline': { type: 'boolean' },
    },
  } as const satisfies ParseArgsConfig;
}

export const command: Command = {
  summary: 'usage reports (daily, weekly, monthly, session, blocks) by user, host, project, branch or model',
  async run(argv) {
    const guess = argv.find((a): a is Kind => (KINDS as readonly string[]).includes(a));
    // An unknown flag is one line naming the closest flag (main.ts prints it, exit 2).
    const { values, positionals } = parseFlags(flagConfig(argv, guess));
    const kind = positionals[0] as Kind | undefined;
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    if (!kind || !KINDS.includes(kind) || positionals.length > 1) {
      console.error(USAGE);
      return 2;
    }
    for (const [flag, kinds] of Object.entries(ONLY)) {
      if (values[flag as keyof typeof values] !== undefined && !kinds.includes(kind)) {
        console.error(`cctap report: --${flag} goes with \`cctap report ${kinds.join('|')}\``);
        return 2;
      }
    }
    const sink = await import('../report-module.js');
    let opts: ReportOptions;
    let storeOpts: StoreOptions;
    let tokenLimit: string | undefined;
    try {
      if (values.tz !== undefined && values.timezone !== undefined && values.tz !== values.timezone) {
        throw new sink.ReportOptionError('--tz and --timezone name the same setting; give one');
      }
      tokenLimit = values['token-limit'] === undefined ? undefined : sink.checkTokenLimit(values['token-limit']);
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
      storeOpts = sink.storeOptionsFrom(values);
    } catch (err) {
      if (err instanceof sink.ReportOptionError || err instanceof sink.StoreFlagError) {
        console.error(`cctap report: ${err.message}`);
        return 2;
      }
      throw err;
    }
    const priceFile = explicitPriceFile(values.prices);
    const book = priceFile ? bookOrComplain('report', priceFile) : null;
    if (priceFile && !book) return 2;
    let answers: unknown[];
    try {
      const store = await openReportStore(storeOpts, sink, book);
      try {
        answers =
          kind === 'blocks'
            ? [await sink.blocksReport(store, opts)]
            : values.id !== undefined
              ? [await sink.sessionEntries(store, values.id)]
              : [
                  await sink.periodReport(store, kind, opts),
                  ...(values.detail ? [await sink.sessionDetails(store, opts)] : []),
                ];
      } finally {
        await store.close();
      }
    } catch (err) {
      if (err instanceof sink.ReportOptionError) {
        console.error(`cctap report: ${err.message}`);
        return 2;
      }
      if (err instanceof UpQueryError || err instanceof sink.StoreUnavailableError) {
        console.error(`cctap report: ${err.message}`);
        return 1;
      }
      if (err instanceof sink.StoreQueryError && /UNKNOWN_TABLE|Unknown table|does not exist/i.test(err.message)) {
        console.error(`cctap report: no cctap tables in the store; run 'cctap migrate' (or start 'cctap sink') first`);
        return 1;
      }
      throw err;
    }
    const style = sink.tableStyle(
      { columns: process.stdout.columns, isTTY: process.stdout.isTTY === true, env: process.env },
      { color: values.color, noColor: values['no-color'] },
    );
    const render = { style, compact: values.compact, breakdown: values.breakdown };
    if (values.id !== undefined) {
      const entries = answers[0] as SessionEntries | null;
      if (values.json) console.log(JSON.stringify(entries, null, 2));
      else if (entries) console.log(sink.renderSessionEntries(entries, opts.tz!, render));
      else {
        console.error(
          `cctap report: no usage of session '${values.id}' in the store (\`cctap report session\` lists them)`,
        );
        return 1;
      }
      return 0;
    }
    const [report, details] = answers as [PeriodReport | BlocksReport, SessionDetail[] | undefined];
    if ('blocks' in report)
      return printBlocks(report, sink, {
        ...render,
        json: values.json === true,
        active: values.active,
        recent: values.recent,
        tokenLimit,
      });
    if (values.json) {
      console.log(JSON.stringify({ ...sink.periodReportJson(report), ...(details ? { details } : {}) }, null, 2));
    } else {
      console.log(sink.renderPeriodReport(report, render));
      if (details) console.log(`\n${sink.renderSessionDetails(details)}`);
    }
    return 0;
  },
};

/** `report blocks`: ccusage's --active / --recent filters and --token-limit status, as JSON or a table. */
function printBlocks(
  report: BlocksReport,
  sink: Reports,
  o: ReportModule.RenderOptions & { json: boolean; active?: boolean; recent?: boolean; tokenLimit?: string },
): number {
  const blocks = sink.viewBlocks(report.blocks, { active: o.active, recent: o.recent });
  const limit = sink.tokenLimitOf(report.blocks, o.tokenLimit);
  if (o.json) {
    const shown = blocks.map((b) => {
      const status = o.tokenLimit !== undefined ? sink.tokenLimitStatus(b, limit) : undefined;
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
    return 0;
  }
  if (o.active && blocks.length === 0) {
    console.log('No active session block found.');
    return 0;
  }
  if (o.active && blocks.length === 1 && !report.by) {
    // ccusage's detailed view of the running block; the limit only when one was asked for.
    console.log(
      `${sink.renderActiveBlock(blocks[0]!, report.tz, o.tokenLimit === undefined ? null : limit, o)}\n\n${sink.priceBookLine(report.priceBook)}`,
    );
    return 0;
  }
  console.log(sink.renderBlocksReport({ ...report, blocks }, { ...o, allBlocks: report.blocks }));
  return 0;
}

/**
 * The embedded store admits one process: while `cctap up` holds it, the report runs on up's store over loopback
 * (priced with up's book: a running pipeline keeps one book); otherwise on the store opened here, re-priced
 * first with `book` when one was given.
 */
async function openReportStore(storeOpts: StoreOptions, sink: Reports, book: PriceBook | null): Promise<Store> {
  if (storeOpts.url === undefined) {
    const up = await openLoopbackStore(storeOpts.dataDir ?? sink.DEFAULT_DATA_DIR);
    if (up) {
      if (book)
        console.error(
          `cctap report: 'cctap up' is running on this store and prices with its own book; restart it with --prices to use ${book.version}`,
        );
      return up;
    }
  }
  const store = await sink.openStore(storeOpts);
  try {
    if (book) await sink.syncPrices(store, book);
  } catch (err) {
    await store.close();
    throw err;
  }
  return store;
}
