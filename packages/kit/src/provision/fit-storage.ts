/**
 * Sizing the streams to the JetStream they are provisioned on.
 *
 * Every stream's max_bytes is reserved on the server when it is created, and the defaults add up to 92 GiB.
 * A plain `nats-server -js` allows 75% of its free disk, a configured one its `max_file_store`, an account
 * its own limit: past that the server refuses the next stream ("insufficient storage resources available").
 * So before anything is created, provision works out how much more it has to reserve, checks that the server
 * takes it, and when it does not, fits the streams into what the server can still reserve.
 *
 * The account info names the account's limits but not the server's (an account without limits shows -1), so
 * the free reservation is measured the one way the server answers it: a probe stream asking for that many
 * bytes, deleted at once (a binary search to 1 MiB when the whole need does not fit).
 */
import { StorageType, type JetStreamManager, type StreamConfig, type StreamInfo } from '@nats-io/jetstream';
import type { StreamKey } from '@cctap/events';
import { ConfigError } from '../errors.js';
import { isJetStreamOutOfSpace } from '../nats/nats-errors.js';

const MiB = 1024 ** 2;
/** Below this a stream cannot hold one large batch and its neighbours. */
const MIN_STREAM_BYTES = 4 * MiB;
/**
 * Share of the free reservation fitted streams may take: the KV buckets reserve nothing, but what they store
 * counts against the same limit, so the streams must not be able to fill it on their own.
 */
const FIT_SHARE = 0.9;

export interface PlannedStream {
  key: StreamKey;
  want: Partial<StreamConfig> & { name: string; max_bytes: number };
  /** The stream as it exists now; null when this run creates it. */
  info: StreamInfo | null;
}

export interface StorageFit {
  /** max_bytes to apply per stream. */
  maxBytes: Map<StreamKey, number>;
  /** Bytes JetStream could still reserve when the desired sizes did not fit; null when they did. */
  fittedTo: number | null;
}

/** Bytes an existing stream reserves now (a stream without max_bytes reserves nothing). */
const reserved = (info: StreamInfo | null): number => Math.max(0, info?.config.max_bytes ?? 0);

export function formatBytes(n: number): string {
  if (n < 0) return 'unlimited';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u += 1;
  }
  return `${u === 0 ? v : v.toFixed(1)} ${units[u]}`;
}

let probes = 0;

/**
 * Whether the server would reserve `bytes` more for one stream with these replicas. Each probe has a name of
 * its own: re-creating a stream of the name just deleted can fail on the server ("error creating store for
 * stream") while it still removes the old one's files.
 */
async function canReserve(jsm: JetStreamManager, bytes: number, replicas: number, probeBase: string): Promise<boolean> {
  const probeName = `${probeBase}_${++probes}`;
  try {
    await jsm.streams.add({
      name: probeName,
      subjects: [`_cctap_probe.${probeName.toLowerCase()}`],
      storage: StorageType.File,
      max_bytes: bytes,
      num_replicas: replicas,
    });
  } catch (err) {
    if (isJetStreamOutOfSpace(err)) return false;
    throw err;
  }
  await jsm.streams.delete(probeName);
  return true;
}

/** The largest reservation (to 1 MiB) below `need` the server accepts; `need` when all of it fits. */
async function freeReservation(
  jsm: JetStreamManager,
  need: number,
  replicas: number,
  probeName: string,
): Promise<number> {
  if (await canReserve(jsm, need, replicas, probeName)) return need;
  let lo = 0;
  let hi = need;
  while (hi - lo > MiB) {
    const mid = Math.floor((lo + hi) / 2);
    if (await canReserve(jsm, mid, replicas, probeName)) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** Refuses, before anything is created, a topology the account's stream or consumer count cannot hold. */
export function checkCounts(
  limits: { max_streams: number; max_consumers: number },
  used: { streams: number; consumers: number },
  add: { streams: number; consumers: number },
): void {
  // One more stream for the probe.
  if (limits.max_streams > 0 && used.streams + add.streams + 1 > limits.max_streams) {
    throw new ConfigError(
      `the NATS account allows ${limits.max_streams} streams and has ${used.streams}; cctap needs ${add.streams} more (and one for a moment): raise the account's max_streams`,
    );
  }
  if (limits.max_consumers > 0 && used.consumers + add.consumers > limits.max_consumers) {
    throw new ConfigError(
      `the NATS account allows ${limits.max_consumers} consumers and has ${used.consumers}; cctap needs ${add.consumers} more: raise the account's max_consumers`,
    );
  }
}

/**
 * The max_bytes each stream gets. When the desired sizes fit they are kept. Otherwise streams that exist keep
 * what they reserve (shrinking one would evict what it holds), and the missing ones share 90% of the free
 * reservation (each at least MIN_STREAM_BYTES, the rest in proportion to their desired sizes); a second run then finds nothing to change.
 */
export async function fitStorage(
  jsm: JetStreamManager,
  plan: readonly PlannedStream[],
  o: { replicas: number; perStreamLimit: number; probeName: string },
): Promise<StorageFit> {
  const capped = (n: number) => (o.perStreamLimit > 0 ? Math.min(n, o.perStreamLimit) : n);
  const desired = new Map(plan.map((p) => [p.key, capped(p.want.max_bytes)]));
  const need = plan.reduce((sum, p) => sum + Math.max(0, desired.get(p.key)! - reserved(p.info)), 0);
  if (need === 0) return { maxBytes: desired, fittedTo: null };
  // A stream with replicas reserves its max_bytes on each of its servers: the probe has the same replicas.
  const free = await freeReservation(jsm, need, o.replicas, o.probeName);
  if (free >= need) return { maxBytes: desired, fittedTo: null };

  const missing = plan.filter((p) => p.info === null);
  const budget = Math.floor(free * FIT_SHARE);
  // Each new stream gets the minimum first, then a share of the rest in proportion to its desired size (on a
  // small server a proportional share alone leaves the alerts stream a few hundred KiB).
  const spare = budget - missing.length * MIN_STREAM_BYTES;
  if (spare < 0) {
    throw new ConfigError(
      `JetStream can reserve only ${formatBytes(free)} more on this server, too little for ${missing.length} new streams of at least ${formatBytes(MIN_STREAM_BYTES)} each: ` +
        `raise max_file_store in the nats-server config (or the account's storage limit), or free space`,
    );
  }
  const wanted = missing.reduce((sum, p) => sum + desired.get(p.key)!, 0);
  const out = new Map<StreamKey, number>();
  for (const p of plan) {
    if (p.info !== null) out.set(p.key, p.info.config.max_bytes);
    else out.set(p.key, MIN_STREAM_BYTES + Math.floor((spare * desired.get(p.key)!) / wanted / MiB) * MiB);
  }
  return { maxBytes: out, fittedTo: free };
}
