/**
 * Messages a stream stores that the server will never deliver to this consumer again.
 *
 * Seen with nats-server 2.9.10 when the server shuts down while batches arrive: a message stored in that window
 * (PubAck sent, so the collector's checkpoint moves past its lines) is never delivered to the consumer, and
 * after the restart the consumer's ack floor passes it. The consumer shows nothing pending: without this
 * sweep the message is never handled, and nothing says so. The chaos run saw it on CCTAP_RAW (the validator)
 * and on CCTAP_EVENTS (the sink).
 *
 * The sweep runs in the pull loop between batches (pull-loop.ts), in one of two ways by the stream's retention:
 * - Interest retention (CCTAP_RAW): a stored message at or below every consumer's ack floor is stranded, since
 *   an acked message leaves such a stream. It is handed to the consumer's handler like a delivery once it has
 *   been seen stranded in two sweeps in a row (a message acked a moment ago may not be removed yet when the
 *   first look happens); acking it deletes it from the stream. Messages that hit max_deliver look the same to
 *   the server, but the dead-letter forwarder deletes those once their copy is stored (dlq/forwarder.ts).
 * - Limits retention (CCTAP_EVENTS): an acked message stays, so "below the floor" says nothing. What the loop
 *   does know is which sequences it was delivered. When a pull fails or the connection drops (the server went
 *   away, the consumer was recreated), the sequences between the last one it had received and the first newer
 *   one it receives afterwards are a window to check: the server goes on from where its state says it was,
 *   so a message it passed over lies in that gap. Once the consumer's ack floor has passed the window, each
 *   sequence in it that the loop never received (redeliveries count) and that the consumer's filter selects
 *   is handed over like a delivery (its ack changes nothing in the stream). The loops of one consumer in a
 *   process share one sweep (the JetStream bus keeps one per consumer), so what one of them received counts
 *   for all. A replica in another process may have handled a sequence of the gap: it is handled a second
 *   time, which every consumer absorbs (ids in the store, the analyzer's and the alerter's seen-ids). A loop
 *   that had received nothing before the trouble has no window: it does not know where to begin.
 */
import type { JetStreamManager, StoredMsg } from '@nats-io/jetstream';
import { headerRecord } from '../nats/header-record.js';
import { isNoMessageFound } from '../nats/nats-errors.js';

/** A stranded message as the pull loop hands it to its handler. */
export interface StrandedMessage {
  readonly seq: number;
  readonly subject: string;
  readonly data: Uint8Array;
  readonly headers: Record<string, string>;
}

/** Most sequence numbers looked at per sweep (each one a request): a huge gap is worked through over several. */
const MAX_LOOKUPS = 2000;

/**
 * Limits retention, after a failed pull or a disconnect: from the sequence after the last one received before,
 * to the one before the first newer sequence received after (null until then).
 */
interface Window {
  readonly from: number;
  to: number | null;
  readonly seen: Set<number>;
}

/** Whether `subject` is selected by a NATS filter (`*` one token, `>` the rest). */
export function subjectSelected(filter: string, subject: string): boolean {
  const f = filter.split('.');
  const s = subject.split('.');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '>') return s.length > i;
    if (i >= s.length || (f[i] !== '*' && f[i] !== s[i])) return false;
  }
  return f.length === s.length;
}

export class StrandedSweep {
  /** null until the first sweep has read the stream's retention. */
  private interest: boolean | null = null;
  /** Stranded sequences seen by the previous sweep (interest retention). */
  private seen = new Set<number>();
  /** The highest stream sequence delivered to this loop. */
  private maxSeen = 0;
  private window: Window | null = null;
  /** Limits retention: sequences handed over whose handler asked for them again (a nak). */
  private readonly again = new Set<number>();

  private lastTake = -Infinity;

  /**
   * One per consumer and process: the loops of one consumer (the sink's fetchers) share it, so what one of
   * them received is not taken for passed over by another. `minIntervalMs`: a take sooner than this after the
   * previous one, by any of them, finds nothing (two looks in a row must be a sweep apart).
   */
  constructor(
    private readonly jsm: () => Promise<JetStreamManager>,
    private readonly stream: string,
    private readonly durable: string,
    private readonly minIntervalMs = 0,
  ) {}

  /** The loop received the message at stream sequence `seq` (a first delivery or not). */
  saw(seq: number): void {
    if (seq > this.maxSeen) this.maxSeen = seq;
    const w = this.window;
    if (!w || seq < w.from) return;
    if (w.to === null) {
      w.to = seq - 1; // the first newer one: the window ends before it
      if (w.to < w.from) this.window = null; // no gap: deliveries went on where they were
    } else if (seq <= w.to) w.seen.add(seq); // a redelivery inside the window (kept: at most its size)
  }

  /** A pull failed: what the stream stored after the last sequence seen may be passed over without a delivery. */
  disturbed(): void {
    if (this.window === null && this.maxSeen > 0) this.window = { from: this.maxSeen + 1, to: null, seen: new Set() };
  }

  /** The messages to hand over now: stranded (interest retention) or passed over after a failed pull (limits). */
  async take(): Promise<StrandedMessage[]> {
    const now = Date.now();
    if (now - this.lastTake < this.minIntervalMs) return [];
    this.lastTake = now;
    if (this.interest === false) return this.skipped();
    const jsm = await this.jsm();
    const info = await jsm.streams.info(this.stream);
    this.interest = info.config.retention === 'interest';
    if (!this.interest) return this.skipped();
    let floor = Infinity;
    if (info.state.messages > 0)
      for await (const c of jsm.consumers.list(this.stream)) floor = Math.min(floor, c.ack_floor.stream_seq);
    if (!Number.isFinite(floor) || info.state.first_seq > floor) {
      this.seen.clear();
      return [];
    }
    const stranded: StoredMsg[] = [];
    const last = Math.min(floor, info.state.first_seq + MAX_LOOKUPS - 1);
    for (let seq = info.state.first_seq; seq <= last; seq++) {
      const m = await jsm.streams.getMessage(this.stream, { seq }); // null: deleted (acked) on the way
      if (m) stranded.push(m);
    }
    const twice = stranded.filter((m) => this.seen.has(m.seq));
    this.seen = new Set(stranded.map((m) => m.seq));
    return twice.map(strandedOf);
  }

  /** A handed-over message was not handled (nak): an interest stream's sweep finds it again, a window's is kept. */
  handBack(seq: number): void {
    if (!this.interest) this.again.add(seq);
  }

  /** Limits retention: the sequences of a window the loop never received, once the floor passed it. */
  private async skipped(): Promise<StrandedMessage[]> {
    const w = this.window;
    if ((!w || w.to === null) && this.again.size === 0) return [];
    const jsm = await this.jsm();
    const out: StrandedMessage[] = [];
    for (const seq of this.again) {
      const m = await jsm.streams.getMessage(this.stream, { seq });
      this.again.delete(seq); // after the request: one that failed is asked for again at the next sweep
      if (m) out.push(strandedOf(m));
    }
    if (!w || w.to === null) return out;
    const c = await jsm.consumers.info(this.stream, this.durable);
    if (c.ack_floor.stream_seq < w.to) return out; // still being worked through (or redelivered)
    this.window = null;
    const filters = c.config.filter_subjects ?? (c.config.filter_subject ? [c.config.filter_subject] : []);
    const last = Math.min(w.to, w.from + MAX_LOOKUPS - 1);
    for (let seq = w.from; seq <= last; seq++) {
      if (w.seen.has(seq)) continue;
      const m = await jsm.streams.getMessage(this.stream, { seq }); // null: removed by the stream's limits
      if (m && (filters.length === 0 || filters.some((f) => subjectSelected(f, m.subject)))) out.push(strandedOf(m));
    }
    return out;
  }

  /**
   * Removes a handled message from an interest stream (already gone: nothing to do). A limits stream keeps it:
   * its other consumers and its mirrors read it too.
   */
  async remove(seq: number): Promise<void> {
    this.seen.delete(seq);
    if (!this.interest) return;
    const jsm = await this.jsm();
    await jsm.streams.deleteMessage(this.stream, seq, false).catch((err: unknown) => {
      if (!isNoMessageFound(err)) throw err;
    });
  }
}

const strandedOf = (m: StoredMsg): StrandedMessage => ({
  seq: m.seq,
  subject: m.subject,
  data: m.data,
  headers: headerRecord(m.header),
});
