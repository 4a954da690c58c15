/**
 * What the pipeline looks like from NATS: consumer positions (is a service idle?) and the raw batches the
 * collectors stored (which byte ranges of which file got through JetStream), read from the validator's output.
 */
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { decodeTrustedBatch, type BatchSource, type ConsumerKey, type StreamKey, type Topology } from '@cctap/events';
import { createJetStreamBus, type JetStreamBus } from '@cctap/kit';
import type { StoredMessage } from '@cctap/kit/internal';

export interface ConsumerState {
  /** Stored messages not yet delivered. */
  pending: number;
  /** Delivered, not yet acked. */
  ackPending: number;
  /** Stream sequence up to which everything is acked. */
  ackFloor: number;
  redelivered: number;
}

export async function consumerState(jsm: JetStreamManager, t: Topology, key: ConsumerKey): Promise<ConsumerState> {
  const i = await jsm.consumers.info(t.consumerStream(key), t.consumer(key));
  return {
    pending: i.num_pending,
    ackPending: i.num_ack_pending,
    ackFloor: i.ack_floor.stream_seq,
    redelivered: i.num_redelivered,
  };
}

export const isIdle = (s: ConsumerState): boolean => s.pending === 0 && s.ackPending === 0;

/**
 * Which byte ranges of which file got through CCTAP_RAW: every raw batch the validator handled comes out with
 * its `source` (path, file identity, byte range), on CCTAP_EVENTS as a batch of its valid events and on
 * CCTAP_INVALID with each rejected one. CCTAP_RAW itself cannot be read back: it has interest retention and
 * keeps only what the validator has not acknowledged yet. Both output streams are read incrementally (each
 * call continues after the last sequence read); per source path and file identity the union of the ranges is
 * kept. A raw batch of lines without events (none in the generated corpora) would leave a gap.
 */
export class RawCoverage {
  readonly #bus: JetStreamBus;
  readonly #ranges = new Map<string, Map<string, Array<[number, number]>>>();
  /** Sources already counted: a batch with valid and rejected events comes out on both streams. */
  readonly #sources = new Set<string>();
  readonly #nextSeq = { events: 1, invalid: 1 };
  batches = 0;
  /** Raw batches whose range was already fully covered (re-sent after a kill, stored under a new msg id). */
  resent = 0;

  constructor(nc: NatsConnection, t: Topology) {
    this.#bus = createJetStreamBus(nc, { topology: t });
  }

  async refresh(): Promise<void> {
    for (const stream of ['events', 'invalid'] as const) {
      for (;;) {
        const page = await this.#bus.read(stream, { fromSeq: this.#nextSeq[stream], max: 500 });
        if (page.length === 0) break;
        for (const m of page) {
          const source =
            stream === 'events'
              ? decodeTrustedBatch(m.data).source
              : (JSON.parse(new TextDecoder().decode(m.data)) as { source: BatchSource | null }).source;
          if (source) this.#add(source);
        }
        this.#nextSeq[stream] = page[page.length - 1]!.seq + 1;
      }
    }
  }

  #add(source: BatchSource): void {
    const key = `${source.path}\n${source.fileId}\n${source.from}\n${source.to}`;
    if (source.fileId === 'heartbeat' || this.#sources.has(key)) return;
    this.#sources.add(key);
    this.batches += 1;
    const byId = this.#ranges.get(source.path) ?? new Map<string, Array<[number, number]>>();
    this.#ranges.set(source.path, byId);
    const list = byId.get(source.fileId) ?? [];
    byId.set(source.fileId, list);
    if (list.some(([f, to]) => f <= source.from && source.to <= to)) this.resent += 1;
    else merge(list, source.from, source.to);
  }

  /** True when `path` has exactly one identity whose batches cover [0, size) without a gap. */
  covers(path: string, size: number): boolean {
    const ids = this.#ranges.get(path);
    if (!ids || ids.size !== 1) return size === 0 && !ids;
    const [ranges] = [...ids.values()];
    return ranges!.length === 1 && ranges![0]![0] === 0 && ranges![0]![1] === size;
  }

  async close(): Promise<void> {
    await this.#bus.close();
  }
}

/** Adds [from, to) to a sorted list of disjoint ranges, merging touching ones. */
function merge(list: Array<[number, number]>, from: number, to: number): void {
  list.push([from, to]);
  list.sort((a, b) => a[0] - b[0]);
  const out: Array<[number, number]> = [];
  for (const r of list) {
    const last = out[out.length - 1];
    if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else out.push([r[0], r[1]]);
  }
  list.splice(0, list.length, ...out);
}

export async function manager(nc: NatsConnection): Promise<JetStreamManager> {
  return jetstreamManager(nc);
}

/** Calls `each` with every message stored in one stream, in sequence order (audits of what crossed NATS). */
export async function forEachStored(
  nc: NatsConnection,
  t: Topology,
  stream: StreamKey,
  each: (m: StoredMessage) => void,
): Promise<number> {
  const bus = createJetStreamBus(nc, { topology: t });
  let n = 0;
  try {
    for (let from = 1; ;) {
      const page = await bus.read(stream, { fromSeq: from, max: 500 });
      if (page.length === 0) return n;
      for (const m of page) each(m);
      n += page.length;
      from = page[page.length - 1]!.seq + 1;
    }
  } finally {
    await bus.close();
  }
}

/** Every message stored in one stream (small streams; large ones: forEachStored). */
export async function readStream(nc: NatsConnection, t: Topology, stream: StreamKey): Promise<StoredMessage[]> {
  const out: StoredMessage[] = [];
  await forEachStored(nc, t, stream, (m) => out.push(m));
  return out;
}
