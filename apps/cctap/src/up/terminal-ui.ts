/**
 * What a person sees while `cctap up` runs.
 *
 * - tty:   a banner, a progress bar redrawn in place while backfilling, then the live feed (one colored line
 *          per item) and a periodic status line; log lines (warnings and errors) are printed above the bar.
 * - plain: the same information as log lines (not a terminal, or --log-format json): for services and files.
 * - quiet: nothing but the logger's warnings and errors.
 */
import type { CollectorProgress } from '@cctap/collector';
import type { Logger } from '@cctap/kit';
import { mb, progressBar, progressLine } from '../progress-format.js';
import type { FeedItem, FeedTallies } from './live-feed.js';

export type UiMode = 'tty' | 'plain' | 'quiet';

export interface BannerInfo {
  version: string;
  bus: string;
  store: string;
  roots: readonly string[];
  /** What the backfill will read: the collector's start-up listing. */
  files: number;
  bytes: number;
  metricsUrl: string;
  /** The web page with its token; null without one (a ClickHouse server store has no loopback endpoint). */
  pageUrl?: string | null;
  demo: boolean;
  /** How `cctap report` / `cctap sql` reach this store: `--data DIR` unless it is the default one. */
  storeArgs: string;
}

/** What the backfill found, for its closing line. */
export interface BackfillFound {
  tallies: FeedTallies;
  /** Sessions not ended (history older than the end timeout is not active). */
  active: number;
  /** --once: the run ends here, nothing goes live. */
  once: boolean;
}

const ESC = '\u001b[';
const paint = (code: string, s: string) => `${ESC}${code}m${s}${ESC}0m`;
const dim = (s: string) => paint('2', s);
const bold = (s: string) => paint('1', s);
const COLOR: Record<FeedItem['severity'], string> = { info: '36', warning: '33', critical: '31' };

export class TerminalUi {
  private barLine = '';
  private lastPlainProgress = 0;
  /**
   * Terminal lines that came before the banner (the services start before it is printed: it names the
   * metrics port), shown right after it. Log lines are not held: a failed start must still be seen.
   */
  private held: string[] | null = [];

  constructor(
    readonly mode: UiMode,
    private readonly log: Logger,
    private readonly out: NodeJS.WriteStream = process.stdout,
  ) {}

  /**
   * Where the logger writes in tty mode: above the progress bar, and at once even before the banner (the
   * banner waits for the servers; "waiting for NATS at …" and a failed start must be seen meanwhile).
   */
  readonly writeLog = (line: string): void => {
    const text = line.replace(/\n$/, '');
    if (this.mode === 'tty' && this.held) this.out.write(`${text}\n`);
    else this.above(text);
  };

  private above(text: string): void {
    if (this.mode !== 'tty') {
      process.stderr.write(`${text}\n`);
      return;
    }
    if (this.held) this.held.push(text);
    else this.out.write(`\r${ESC}2K${text}\n${this.barLine}`);
  }

  banner(b: BannerInfo): void {
    if (this.mode === 'quiet') return;
    if (this.mode === 'plain') {
      this.log.info('cctap up', {
        bus: b.bus,
        store: b.store,
        roots: b.roots,
        files: b.files,
        bytes: b.bytes,
        metrics: b.metricsUrl,
        ...(b.pageUrl ? { page: b.pageUrl } : {}),
        demo: b.demo,
      });
      return;
    }
    const lines = [
      `${bold('cctap up')} ${dim(b.version)}${b.demo ? `  ${paint('35', 'demo: replaying the sample transcripts shipped with cctap')}` : ''}`,
      `  watching  ${b.roots.join(', ')}  ${dim(`(${b.files} transcript files, ${mb(b.bytes)} to read)`)}`,
      `  bus       ${b.bus}`,
      `  store     ${b.store}`,
      `  metrics   ${b.metricsUrl}  ${dim('(/livez /readyz)')}`,
      ...(b.pageUrl ? [`  page      ${b.pageUrl}  ${dim('(costs, charts, live sessions, alerts)')}`] : []),
      `  ${dim(`reports while this runs: npx cctap report daily${b.storeArgs} | npx cctap sql "SELECT ..."${b.storeArgs}  ·  Ctrl-C stops cleanly`)}`,
      '',
    ];
    this.out.write(`${lines.join('\n')}\n`);
    const held = this.held ?? [];
    this.held = null;
    for (const text of held) this.above(text); // each redraws the bar under it
    if (held.length === 0) this.out.write(this.barLine);
  }

  progress(p: CollectorProgress): void {
    if (this.mode === 'quiet') return;
    if (this.mode === 'plain') {
      // The first line once reading is under way (the listing's totals are in the banner's log line).
      if (p.bytesRead === 0 || Date.now() - this.lastPlainProgress < 5000) return;
      this.lastPlainProgress = Date.now();
      this.log.info(progressLine(p));
      return;
    }
    this.barLine = progressBar(p);
    if (!this.held) this.out.write(`\r${ESC}2K${this.barLine}`);
  }

  backfillDone(p: CollectorProgress & { seconds: number }, f: BackfillFound): void {
    const t = f.tallies;
    const found = `${t['session.start']} sessions, ${f.active} still active, ${t['tool.error']} tool errors, ${t['api.error']} API errors, ${t.rate_limit} rate limits, ${t.alert} alerts`;
    const text = `backfill done: ${p.filesTotal} files, ${mb(p.bytesRead)}, ${p.eventsPublished.toLocaleString('en-US')} events in ${p.seconds.toFixed(1)}s (${found})${f.once ? '' : '; live now'}`;
    this.barLine = '';
    if (this.mode === 'quiet') return;
    if (this.mode === 'plain') this.log.info(text, { ...p, ...t, activeSessions: f.active });
    else this.above(paint('32', text));
  }

  item(i: FeedItem): void {
    if (this.mode === 'quiet') return;
    if (this.mode === 'plain') {
      this.log.info(i.text.replace(/ {2,}/g, '  '), {
        kind: i.kind,
        host: i.host,
        sessionId: i.sessionId,
        project: i.project,
        ts: i.ts,
      });
      return;
    }
    const time = new Date().toLocaleTimeString('en-GB', { hour12: false });
    this.above(`${dim(time)}  ${paint(COLOR[i.severity], i.text)}`);
  }

  status(text: string, fields: Record<string, unknown>): void {
    if (this.mode === 'quiet') return;
    if (this.mode === 'plain') this.log.info(text, fields);
    else this.above(dim(`${new Date().toLocaleTimeString('en-GB', { hour12: false })}  ${text}`));
  }

  /** The last words: stdout in every mode but quiet, so scripts can keep them. */
  final(lines: readonly string[]): void {
    if (this.mode === 'quiet') return;
    if (this.mode === 'tty') this.out.write(`\r${ESC}2K`);
    process.stdout.write(`${lines.join('\n')}\n`);
  }
}
