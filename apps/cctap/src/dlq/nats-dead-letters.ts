/**
 * The dead letters of a NATS pipeline: the CCTAP_DLQ stream, which the validator's forwarder (and a
 * consumer's bus, right before a term) fills. A dead letter's id is its CCTAP_DLQ sequence. A replay
 * publishes the original to its original subject, so every consumer of that stream sees it again after a
 * fix, then deletes the dead letter.
 */
import { replayMsgId, type Topology } from '@cctap/events';
import { DLQ_HEADERS, type JetStreamBus } from '@cctap/kit';
import { kindOfReason, type DeadLetter } from './dead-letter.js';

type Manager = Awaited<ReturnType<JetStreamBus['js']['jetstreamManager']>>;
type Stored = NonNullable<Awaited<ReturnType<Manager['streams']['getMessage']>>>;

const DLQ_HEADER_NAMES = new Set(Object.values(DLQ_HEADERS).map((h) => h.toLowerCase()));

function deadLetterOf(m: Stored): DeadLetter {
  const all: Record<string, string> = {};
  if (m.header) for (const k of m.header.keys()) all[k] = m.header.get(k);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(all))
    if (!DLQ_HEADER_NAMES.has(k.toLowerCase()) && !/^nats-/i.test(k)) headers[k] = v;
  const reason = all[DLQ_HEADERS.reason] ?? '';
  return {
    id: String(m.seq),
    at: m.time.toISOString(),
    stream: all[DLQ_HEADERS.stream] ?? '',
    seq: Number(all[DLQ_HEADERS.seq] ?? 0),
    consumer: all[DLQ_HEADERS.consumer] ?? '',
    kind: kindOfReason(reason),
    subject: all[DLQ_HEADERS.subject] ?? '',
    deliveries: Number(all[DLQ_HEADERS.deliveries] ?? 0),
    reason,
    headers,
    data: m.data,
  };
}

export interface ReplayResult {
  /** The stream and sequence the original was stored at again; duplicate: it had been replayed already. */
  stream: string;
  seq: number;
  duplicate: boolean;
}

export class NatsDeadLetters {
  private constructor(
    private readonly bus: JetStreamBus,
    private readonly jsm: Manager,
    private readonly stream: string,
  ) {}

  /** Throws the server's not-found error when the stream is not there (not provisioned). */
  static async open(bus: JetStreamBus, t: Topology): Promise<NatsDeadLetters> {
    const jsm = await bus.js.jetstreamManager();
    await jsm.streams.info(t.stream('dlq'));
    return new NatsDeadLetters(bus, jsm, t.stream('dlq'));
  }

  /** The last `limit` dead letters, oldest first (one request each: a dead-letter stream stays small). */
  async list(limit: number): Promise<DeadLetter[]> {
    const { first_seq: first, last_seq: last } = (await this.jsm.streams.info(this.stream)).state;
    const out: DeadLetter[] = [];
    for (let seq = last; seq >= first && seq > 0 && out.length < limit; seq--) {
      const m = await this.get(seq);
      if (m) out.push(m);
    }
    return out.reverse();
  }

  async get(seq: number): Promise<DeadLetter | null> {
    const m = await this.jsm.streams.getMessage(this.stream, { seq }).catch(() => null);
    return m ? deadLetterOf(m) : null;
  }

  /**
   * Publishes the original again with a message id of its place in its stream (replayMsgId), so a second
   * replay of it inside the duplicate window is dropped by JetStream, then deletes the dead letter.
   */
  async replay(d: DeadLetter): Promise<ReplayResult> {
    const ack = await this.bus.publish(d.subject, d.data, {
      msgId: replayMsgId(d.stream, d.seq),
      headers: d.headers,
    });
    await this.jsm.streams.deleteMessage(this.stream, Number(d.id), false);
    return { stream: ack.stream, seq: ack.seq, duplicate: ack.duplicate };
  }
}
