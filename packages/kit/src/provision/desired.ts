/**
 * The configuration every stream and consumer should have. Defaults are explicit because the server's
 * defaults stall or retry forever (architecture-anchors 2.4): max_deliver -1, max_ack_pending 1000,
 * duplicate window 2 minutes.
 *
 * Only fields understood by nats-server 2.9 are emitted unless the server is 2.10+ (then stream
 * compression is added); the provisioner compares exactly these fields, so re-running changes nothing.
 */
import { CONSUMERS, STREAM_KEYS, type ConsumerKey, type StreamKey, type Topology } from '@cctap/events';
import {
  AckPolicy,
  DeliverPolicy,
  DiscardPolicy,
  RetentionPolicy,
  StorageType,
  type ConsumerConfig,
  type StreamConfig,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';

const DAY_MS = 86_400_000;
const GiB = 1024 ** 3;

export interface StreamLimits {
  maxAgeMs: number;
  maxBytes: number;
}

export interface ProvisionOptions {
  /** Topology prefix ('' for production). */
  prefix?: string;
  replicas?: number;
  /** Per-stream overrides of max age / max bytes. */
  limits?: Partial<Record<StreamKey, Partial<StreamLimits>>>;
  /** One max-bytes for every stream without its own limit (small servers, tests). */
  maxBytes?: number;
  /**
   * JetStream file storage of each server (its max_file_store): every stream's default max-bytes is scaled
   * so that together they take STREAM_SHARE of it. Below maxBytes and limits in precedence.
   */
  storageBytes?: number;
  duplicateWindowMs?: number;
  maxDeliver?: number;
  ackWaitMs?: number;
  maxAckPending?: number;
  /** Redelivery delays after ack timeouts (not nak); its length must not exceed maxDeliver. */
  backoffMs?: number[];
}

const DEFAULT_LIMITS: Record<StreamKey, StreamLimits> = {
  raw: { maxAgeMs: 7 * DAY_MS, maxBytes: 20 * GiB },
  events: { maxAgeMs: 30 * DAY_MS, maxBytes: 50 * GiB },
  invalid: { maxAgeMs: 30 * DAY_MS, maxBytes: 5 * GiB },
  derived: { maxAgeMs: 30 * DAY_MS, maxBytes: 10 * GiB },
  alerts: { maxAgeMs: 90 * DAY_MS, maxBytes: 1 * GiB },
  dlq: { maxAgeMs: 90 * DAY_MS, maxBytes: 5 * GiB },
  advisories: { maxAgeMs: 30 * DAY_MS, maxBytes: 1 * GiB },
};

/**
 * Share of a server's file storage the streams may reserve together: the KV buckets and consumer state reserve
 * nothing, but what they write counts against the same max_file_store.
 */
export const STREAM_SHARE = 0.8;
const MiB = 1024 ** 2;

/**
 * Each stream's max-bytes when a server offers `storageBytes`: the defaults' proportions (events 50 of 92 GiB,
 * raw 20, ...), scaled down or up to STREAM_SHARE of it, in whole MiB. Every server of an R3 stream holds a
 * full copy, so the sum must fit each server, not the cluster.
 */
export function streamBytesFor(storageBytes: number): Record<StreamKey, number> {
  const total = STREAM_KEYS.reduce((sum, k) => sum + DEFAULT_LIMITS[k].maxBytes, 0);
  const out = {} as Record<StreamKey, number>;
  for (const k of STREAM_KEYS)
    out[k] = Math.max(MiB, Math.floor((storageBytes * STREAM_SHARE * DEFAULT_LIMITS[k].maxBytes) / total / MiB) * MiB);
  return out;
}

const DEFAULT_CONSUMER = {
  maxDeliver: 10,
  ackWaitMs: 60_000,
  /** Above the sink's largest batch (20k rows) times two batches in flight. */
  maxAckPending: 50_000,
  backoffMs: [60_000, 120_000, 300_000, 600_000],
};

export function desiredStream(
  t: Topology,
  key: StreamKey,
  o: ProvisionOptions,
  version: [number, number, number],
): Partial<StreamConfig> {
  const limits = {
    ...DEFAULT_LIMITS[key],
    ...(o.storageBytes !== undefined ? { maxBytes: streamBytesFor(o.storageBytes)[key] } : {}),
    ...(o.maxBytes !== undefined ? { maxBytes: o.maxBytes } : {}),
    ...o.limits?.[key],
  };
  const cfg: Partial<StreamConfig> = {
    name: t.stream(key),
    subjects: t.streamSubjects(key),
    // Raw has one consumer, the validator: interest retention frees a batch once it is acknowledged, so
    // max_bytes bounds the backlog, not a week of traffic (limits retention stopped every collector at 20 GiB
    // although all of it was consumed). Not work-queue: a mirror an operator adds for backup counts as a
    // second unfiltered consumer, and after a restart the server refused the validator's own (2.9.10).
    retention: key === 'raw' ? RetentionPolicy.Interest : RetentionPolicy.Limits,
    storage: StorageType.File,
    num_replicas: o.replicas ?? 1,
    max_age: nanos(limits.maxAgeMs),
    max_bytes: limits.maxBytes,
    // Raw data is unvalidated and not stored anywhere else yet: a full stream refuses new batches (the
    // collector retries, its checkpoint does not move) rather than evicting batches nobody has read.
    discard: key === 'raw' ? DiscardPolicy.New : DiscardPolicy.Old,
    duplicate_window: nanos(o.duplicateWindowMs ?? 20 * 60_000),
    max_msg_size: -1,
    deny_delete: false,
    deny_purge: false,
    allow_rollup_hdrs: false,
  };
  const is210 = version[0] > 2 || (version[0] === 2 && version[1] >= 10);
  if (is210 && key !== 'advisories') (cfg as Record<string, unknown>).compression = 's2';
  return cfg;
}

export function desiredConsumer(t: Topology, key: ConsumerKey, o: ProvisionOptions): Partial<ConsumerConfig> {
  const spec: { stream: StreamKey; filter?: string } = CONSUMERS[key];
  const maxDeliver = o.maxDeliver ?? DEFAULT_CONSUMER.maxDeliver;
  const backoff = (o.backoffMs ?? (o.ackWaitMs !== undefined ? [] : DEFAULT_CONSUMER.backoffMs)).slice(0, maxDeliver);
  const cfg: Partial<ConsumerConfig> = {
    durable_name: t.consumer(key),
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    // With backoff set the server uses its first element as the ack wait; keep both consistent.
    ack_wait: nanos(backoff[0] ?? o.ackWaitMs ?? DEFAULT_CONSUMER.ackWaitMs),
    max_deliver: maxDeliver,
    max_ack_pending: o.maxAckPending ?? DEFAULT_CONSUMER.maxAckPending,
    max_waiting: 512,
  };
  if (backoff.length > 0) cfg.backoff = backoff.map((ms) => nanos(ms));
  if (spec.filter) cfg.filter_subject = `${t.root}.${spec.filter}`;
  return cfg;
}
