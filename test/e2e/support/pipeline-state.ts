/**
 * What the pipeline looks like from NATS: consumer positions (is a service idle?) and the raw batches the
 * collectors stored (which byte ranges of which file reached JetStream), read straight from the stream.
 */
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { decodeTrustedBatch, type ConsumerKey, type StreamKey, type Topology } from '@cctap/events';
import { createJetStreamBus, type JetStreamBus, type StoredMessage } from '@cctap/kit';

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
  return { pending: i.num_pending, ackPending: i.num_ack_pending, ackFloor: i.ack_floor.stream_seq, redelivered: i.num_redelivered };
}

export const isIdle = (s: ConsumerState): boolean => s.pending === 0 && s.ackPending === 0;

/**
 * Reads CCTAP_RAW incrementally (each call continues after the last sequence read) and keeps, per source
 * path and file identity, the union of the batches' byte ranges. Heartbeat batches are skipped.
 */
export class RawCoverage {
  readonly #bus: JetStreamBus;
  readonly #ranges = new Map<string, Map<string, Array<[number, number]>>>();
  #nextSeq = 1;
  batches = 0;
  /** Stored batches whose range was already fully covered (re-sent after a kill, stored under a new msg id). */
  resent = 0;

  constructor(nc: NatsConnection, t: Topology) {
    this.#bus = createJetStreamBus(nc, { topology: t });
  }

  async refresh(): Promise<void> {
    for (;;) {
      const page = await this.#bus.read('raw', { fromSeq: this.#nextSeq, max: 500 });
      if (page.length === 0) return;
      for (const m of page) {
        const b = decodeTrustedBatch(m.data);
        if (b.source.fileId === 'heartbeat') continue;
        this.batches += 1;
        const byId = this.#ranges.get(b.source.path) ?? new Map<string, Array<[number, number]>>();
        this.#ranges.set(b.source.path, byId);
        const list = byId.get(b.source.fileId) ?? [];
        byId.set(b.source.fileId, list);
        if (list.some(([f, to]) => f <= b.source.from && b.source.to <= to)) this.resent += 1;
        else merge(list, b.source.from, b.source.to);
      }
      this.#nextSeq = page[page.length - 1]!.seq + 1;
    }
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
export async function forEachStored(nc: NatsConnection, t: Topology, stream: StreamKey, each: (m: StoredMessage) => void): Promise<number> {
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
