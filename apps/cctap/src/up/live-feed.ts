/**
 * What matters, as it happens: sessions started and ended, tool errors, API errors, rate limits, tool calls
 * `cctap guard` denied or asked about, loops, error bursts and alerts, picked from what the validator, the analyzer and the alerter publish (tap-bus.ts).
 *
 * While the collector backfills history the feed only counts (a screen of last month's errors helps no
 * one); `goLive()` prints the tallies once and from then on every item is emitted, but for the end of a
 * session that ended before the feed went live: the analyzer ends history sessions once the backfill has
 * settled, and announcing each of them would flood the screen with news from last month. Event batches are large
 * and frequent, so they are decoded only when live and only when their bytes mention a kind we show.
 */
import { EventEmitter } from 'node:events';
import {
  decodeTrustedAlert,
  decodeTrustedBatch,
  decodeTrustedDerived,
  type Alert,
  type Batch,
  type DerivedEvent,
  type Topology,
} from '@cctap/events';

export type FeedKind =
  | 'session.start'
  | 'session.end'
  | 'tool.error'
  | 'api.error'
  | 'rate_limit'
  | 'guard'
  | 'loop'
  | 'error.burst'
  | 'alert';

export interface FeedItem {
  kind: FeedKind;
  ts: string;
  host: string;
  sessionId: string;
  project: string;
  /** One human line, without the time and the kind. */
  text: string;
  severity: 'info' | 'warning' | 'critical';
}

export type FeedTallies = Record<FeedKind, number>;

const MARKERS = ['"isError":true', '"type":"api.error"', '"type":"rate_limit"', '"type":"guard"'].map((s) =>
  Buffer.from(s),
);
/** Derived kinds shown, as subject tokens (topology sanitizes `session.start` to `session_start`). */
const DERIVED_SHOWN = new Set(['session_start', 'session_end', 'loop_detected', 'error_burst']);

const short = (id: string) => id.slice(0, 8);
const clip = (s: string | null, n = 100) => {
  const one = (s ?? '').replace(/\s+/g, ' ').trim();
  return one.length > n ? `${one.slice(0, n - 1)}…` : one;
};
const projectName = (p: string) => p.split('/').filter(Boolean).pop() ?? (p || '-');

export class LiveFeed extends EventEmitter<{ item: [FeedItem] }> {
  readonly tallies: FeedTallies = {
    'session.start': 0,
    'session.end': 0,
    'tool.error': 0,
    'api.error': 0,
    rate_limit: 0,
    guard: 0,
    loop: 0,
    'error.burst': 0,
    alert: 0,
  };
  private live = false;
  /** When the feed went live (ms): a session that ended before this ended in history. */
  private liveSince = Number.POSITIVE_INFINITY;
  private readonly eventsPrefix: string;
  private readonly derivedPrefix: string;
  private readonly alertsPrefix: string;

  constructor(t: Topology) {
    super();
    this.eventsPrefix = `${t.root}.events.`;
    this.derivedPrefix = `${t.root}.derived.`;
    this.alertsPrefix = `${t.root}.alerts.`;
  }

  get isLive(): boolean {
    return this.live;
  }

  goLive(): void {
    this.live = true;
    this.liveSince = Date.now();
  }

  /** The tap-bus hook. */
  readonly observe = (subject: string, data: Uint8Array): void => {
    if (subject.startsWith(this.derivedPrefix)) {
      const kind = subject.slice(this.derivedPrefix.length).split('.')[0] ?? '';
      if (DERIVED_SHOWN.has(kind)) this.derived(decodeTrustedDerived(data));
    } else if (subject.startsWith(this.alertsPrefix)) {
      this.alert(decodeTrustedAlert(data));
    } else if (subject.startsWith(this.eventsPrefix) && this.live) {
      const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
      if (MARKERS.some((m) => buf.includes(m))) this.events(decodeTrustedBatch(data));
    }
  };

  private push(item: FeedItem, news = true): void {
    this.tallies[item.kind] += 1;
    if (this.live && news) this.emit('item', item);
  }

  private derived(d: DerivedEvent): void {
    const base = { ts: d.ts, host: d.host, sessionId: d.sessionId, project: d.project };
    const cwd = d.kind === 'session.start' ? d.payload.cwd : '';
    const where = `${projectName(d.project || cwd || '')} (${short(d.sessionId)})`;
    switch (d.kind) {
      case 'session.start':
        this.push({ ...base, kind: 'session.start', severity: 'info', text: `session started   ${where}` });
        break;
      case 'session.end': {
        const minutes = Math.round(d.payload.durationMs / 60_000);
        // The end of a timeout is its last line plus the end timeout (the analyzer's ts), whenever it is told.
        const endedInHistory = Date.parse(d.ts) < this.liveSince;
        this.push(
          {
            ...base,
            kind: 'session.end',
            severity: 'info',
            text: `session ended     ${where}  after ${minutes} min (${d.payload.reason})`,
          },
          !endedInHistory,
        );
        break;
      }
      case 'loop.detected':
        this.push({ ...base, kind: 'loop', severity: 'warning', text: `loop detected     ${where}` });
        break;
      case 'error.burst':
        this.push({ ...base, kind: 'error.burst', severity: 'warning', text: `error burst       ${where}` });
        break;
      default:
        break;
    }
  }

  private alert(a: Alert): void {
    if (a.status !== 'firing') return;
    this.push({
      kind: 'alert',
      ts: a.updatedAt,
      host: a.host ?? '',
      sessionId: a.sessionId ?? '',
      project: a.project ?? '',
      severity: a.severity,
      text: `ALERT ${a.severity} ${a.rule}: ${clip(a.summary)}`,
    });
  }

  private events(b: Batch): void {
    for (const e of b.events) {
      const base = { ts: e.ts, host: e.host, sessionId: e.sessionId, project: e.project };
      const where = `${projectName(e.project)} (${short(e.sessionId)})`;
      if (e.type === 'tool.result' && e.payload.isError) {
        this.push({
          ...base,
          kind: 'tool.error',
          severity: 'warning',
          text: `tool error        ${where}  ${e.payload.errorClass ?? ''} ${clip(e.payload.output, 80)}`,
        });
      } else if (e.type === 'api.error') {
        this.push({
          ...base,
          kind: 'api.error',
          severity: 'warning',
          text: `API error         ${where}  ${e.payload.status ?? ''} ${clip(e.payload.message, 80)}`,
        });
      } else if (e.type === 'rate_limit') {
        this.push({
          ...base,
          kind: 'rate_limit',
          severity: 'critical',
          text: `rate limit        ${where}  ${e.payload.limitKind}${e.payload.resetAt ? ` until ${e.payload.resetAt}` : ''}`,
        });
      } else if (e.type === 'guard' && e.payload.decision !== 'allow') {
        const p = e.payload;
        this.push({
          ...base,
          kind: 'guard',
          severity: p.decision === 'deny' ? 'critical' : 'warning',
          text: `guard ${p.decision.padEnd(11)} ${where}  ${p.rule ?? p.error ?? ''}: ${p.tool} ${clip(p.match, 70)}`,
        });
      }
    }
  }
}
