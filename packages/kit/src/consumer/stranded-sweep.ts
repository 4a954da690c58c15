/**
 * Messages an interest-retention stream (CCTAP_RAW) still stores although every consumer's ack floor is past
 * them: nobody will deliver them again, and nobody will ack them away.
 *
 * Seen with nats-server 2.9.10 when the server shuts down while batches arrive: a batch stored in that window
 * (PubAck sent, so the collector's checkpoint moves past its lines) is never delivered to the validator, and
 * after the restart the consumer's ack floor passes it. The consumer shows nothing pending and the stream
 * keeps the message: without this sweep its lines never reach the store, and nothing says so.
 *
 * The sweep (run by the pull loop between batches, pull-loop.ts) asks for the stream's first sequence and the
 * lowest ack floor of its consumers. A stored message at or below that floor is stranded. It is handed to the
 * consumer's handler like a delivery once it has been seen stranded in two sweeps in a row (a message acked a
 * moment ago may not be removed yet when the first look happens); acking it deletes it from the stream.
 * Messages that hit max_deliver look the same to the server, but the dead-letter forwarder deletes those
 * once their copy is stored (dlq/forwarder.ts), so what is left here was never handled.
 *
 * Only interest-retention streams: in a limits stream an acked message stays, so "stored below the floor"
 * says nothing there.
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

export class StrandedSweep {
  /** null until the first sweep has read the stream's retention; false: not an interest stream, never sweep. */
  private interest: boolean | null = null;
  /** Stranded sequences seen by the previous sweep. */
  private seen = new Set<number>();

  constructor(
    private readonly jsm: () => Promise<JetStreamManager>,
    private readonly stream: string,
  ) {}

  /** The messages stranded in this sweep and the one before it (none, without a request, on other streams). */
  async take(): Promise<StrandedMessage[]> {
    if (this.interest === false) return [];
    const jsm = await this.jsm();
    const info = await jsm.streams.info(this.stream);
    this.interest = info.config.retention === 'interest';
    let floor = Infinity;
    if (this.interest && info.state.messages > 0)
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
    return twice.map((m) => ({ seq: m.seq, subject: m.subject, data: m.data, headers: headerRecord(m.header) }));
  }

  /** Removes a handled stranded message from the stream (already gone: nothing to do). */
  async remove(seq: number): Promise<void> {
    this.seen.delete(seq);
    const jsm = await this.jsm();
    await jsm.streams.deleteMessage(this.stream, seq, false).catch((err: unknown) => {
      if (!isNoMessageFound(err)) throw err;
    });
  }
}
