/** `cctap report daily|weekly|monthly|session|blocks`: team usage from the store, as tables or ccusage-shaped JSON. */
import { parseArgs } from 'node:util';
import type { BlocksReport, PeriodReport, ReportOptions, SessionDetail, StoreOptions } from '@cctap/sink/reports';
import type * as SinkReportsModule from '@cctap/sink/reports';
import type { PriceBook } from '@cctap/prices';
import { bookOrComplain } from '../price-book-of.js';
import { explicitPriceFile } from '../price-file.js';
import { answerQuery } from '../up/answer-query.js';
import { askRunningUp, UpQueryError } from '../up/query-client.js';
import type { QueryRequest } from '../up/query-protocol.js';
import type { Command } from './registry.js';

type SinkReports = typeof SinkReportsModule;

const KINDS = ['daily', 'weekly', 'monthly', 'session', 'blocks'] as const;
type Kind = (typeof KINDS)[number];

const USAGE = `usage: cctap report daily|weekly|monthly|session|blocks [options]

  --by user|host|project|branch|model   one row per period and value (blocks: one timeline per value)
  --since DATE --until DATE             inclusive days (2026-02-12 or 20260212) in --tz
  --tz ZONE                             IANA zone for day boundaries (default UTC)
  --start-of-week monday|sunday         weekly only (default monday, as ccusage 20)
  --json                                ccusage's JSON field names (daily[], totals, modelBreakdowns, …)
  --detail                              session only: the analyzer's analysis of each session (tools,
                                        common tool sequences, intervals, state transitions)
  --clickhouse URL | --data DIR         the store (default ~/.cctap/data)
  --prices FILE                         re-price the store with this price file over the shipped book
                                        first (env CCTAP_PRICES); all history, nothing re-ingested

While 'cctap up' runs on the same embedded store, the question is sent to it over loopback.
Tokens are counted once per API response (the line with the largest total wins, across files);
models without a price are shown as unpriced, never as $0. Every report names the price book it used.`;

export const command: Command = {
  summary: 'usage reports (daily, weekly, monthly, session, blocks) by user, host, project, branch or model',
  async run(argv) {
    let parsed;
    try {
      parsed = parseArgs({
        args: argv,
        allowPositionals: true,
        options: {
          by: { type: 'string' }, since: { type: 'string' }, until: { type: 'string' }, tz: { type: 'string' },
          'start-of-week': { type: 'string' }, json: { type: 'boolean' }, detail: { type: 'boolean' }, clickhouse: { type: 'string' }, data: { type: 'string' },
          prices: { type: 'string' }, help: { type: 'boolean', short: 'h' },
        },
      });
    } catch (err) {
      console.error(`${(err as Error).message}\n\n${USAGE}`);
      return 2;
    }
    const { values, positionals } = parsed;
    const kind = positionals[0] as Kind | undefined;
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    if (!kind || !KINDS.includes(kind) || positionals.length > 1) {
      console.error(USAGE);
      return 2;
    }
    const sink = await import('@cctap/sink/reports');
    let opts: ReportOptions;
    let storeOpts: StoreOptions;
    try {
      const sow = values['start-of-week'];
      if (sow !== undefined && sow !== 'sunday' && sow !== 'monday') throw new sink.ReportOptionError(`--start-of-week must be sunday or monday, got '${sow}'`);
      opts = {
        ...(values.by ? { by: sink.checkDimension(values.by) } : {}),
        ...(values.since ? { since: values.since } : {}),
        ...(values.until ? { until: values.until } : {}),
        tz: values.tz ?? 'UTC',
        ...(sow === 'sunday' || sow === 'monday' ? { startOfWeek: sow } : {}),
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
    if (values.detail && kind !== 'session') {
      console.error('cctap report: --detail goes with `cctap report session`');
      return 2;
    }
    const questions: QueryRequest[] =
      kind === 'blocks' ? [{ op: 'blocks', opts }] : [{ op: 'period', kind, opts }, ...(values.detail ? [{ op: 'sessionDetail', opts } as const] : [])];
    let answers: unknown[];
    try {
      answers = await ask(questions, storeOpts, sink, book);
    } catch (err) {
      if (err instanceof UpQueryError) {
        console.error(`cctap report: ${err.message}`);
        return err.errorName === 'ReportOptionError' ? 2 : 1;
      }
      if (err instanceof sink.ReportOptionError) {
        console.error(`cctap report: ${err.message}`);
        return 2;
      }
      if (err instanceof sink.StoreQueryError && /UNKNOWN_TABLE|Unknown table|does not exist/i.test(err.message)) {
        console.error(`cctap report: no cctap tables in the store; run 'cctap migrate' (or start 'cctap sink') first`);
        return 1;
      }
      throw err;
    }
    const [report, details] = answers as [PeriodReport | BlocksReport, SessionDetail[] | undefined];
    if ('blocks' in report) {
      console.log(values.json ? JSON.stringify({ blocks: report.blocks, priceBook: report.priceBook }, null, 2) : sink.renderBlocksReport(report));
    } else if (values.json) {
      console.log(JSON.stringify({ ...sink.periodReportJson(report), ...(details ? { details } : {}) }, null, 2));
    } else {
      console.log(sink.renderPeriodReport(report));
      if (details) console.log(`\n${sink.renderSessionDetails(details)}`);
    }
    return 0;
  },
};

/**
 * The embedded store admits one process: while `cctap up` holds it, the questions go to `up` over loopback
 * (priced with up's book: a running pipeline keeps one book); otherwise they run on the store opened here,
 * re-priced first with `book` when one was given.
 */
async function ask(questions: QueryRequest[], storeOpts: StoreOptions, sink: SinkReports, book: PriceBook | null): Promise<unknown[]> {
  if (storeOpts.url === undefined) {
    const out: unknown[] = [];
    for (const q of questions) {
      const a = await askRunningUp<unknown>(storeOpts.dataDir ?? sink.DEFAULT_DATA_DIR, q);
      if (!a.answered) break;
      out.push(a.result);
    }
    if (out.length === questions.length) {
      if (book) console.error(`cctap report: 'cctap up' is running on this store and prices with its own book; restart it with --prices to use ${book.version}`);
      return out;
    }
  }
  const store = await sink.openStore(storeOpts);
  try {
    if (book) await sink.syncPrices(store, book);
    const out: unknown[] = [];
    for (const q of questions) out.push(await answerQuery(store, q));
    return out;
  } finally {
    await store.close();
  }
}
