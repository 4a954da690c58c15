/**
 * Subject, stream, consumer and bucket names: the one table every component reads (DESIGN section 6).
 *
 *   cctap.raw.<host>                 collector -> CCTAP_RAW       (validator)
 *   cctap.events.<host>.<partition>  validator -> CCTAP_EVENTS    (analyzer, alerter, sink)
 *   cctap.invalid.<host>             validator -> CCTAP_INVALID   (sink)
 *   cctap.derived.<kind>.<host>      analyzer  -> CCTAP_DERIVED   (alerter, sink)
 *   cctap.alerts.<severity>.<rule>   alerter   -> CCTAP_ALERTS    (sink)
 *   cctap.dlq.<consumer>             dead-letter forwarder -> CCTAP_DLQ
 *
 * A prefix (tests, or several pipelines on one server) replaces the root token `cctap` and is prepended to
 * stream, consumer and bucket names, so two topologies never share anything on one server.
 */

export const STREAM_KEYS = ['raw', 'events', 'invalid', 'derived', 'alerts', 'dlq', 'advisories'] as const;
export type StreamKey = (typeof STREAM_KEYS)[number];

interface ConsumerSpec {
  readonly stream: StreamKey;
  /** Subject filter relative to the root token, e.g. `events.>`; omitted: the whole stream. */
  readonly filter?: string;
}

export const CONSUMERS = {
  validator: { stream: 'raw' },
  analyzer: { stream: 'events' },
  'alerter-events': { stream: 'events' },
  'alerter-derived': { stream: 'derived' },
  'sink-events': { stream: 'events' },
  'sink-invalid': { stream: 'invalid' },
  'sink-derived': { stream: 'derived' },
  'sink-alerts': { stream: 'alerts' },
  'dlq-forwarder': { stream: 'advisories' },
} as const satisfies Record<string, ConsumerSpec>;
export type ConsumerKey = keyof typeof CONSUMERS;

export const BUCKETS = {
  /** Alert delivery state per alert key: firing, sending, sent, resolved. */
  alerts: 'alerts',
  /** Analyzer state snapshots. */
  analyzer: 'analyzer',
  /** Silences created by `cctap alerts silence`. */
  silences: 'silences',
  /** The alerter's running spend per budget, subject and period. */
  budgets: 'budgets',
} as const satisfies Record<string, string>;
export type BucketKey = keyof typeof BUCKETS;

const SUBJECT_TOKEN = /[^a-z0-9_-]+/g;

/**
 * Partitions of CCTAP_EVENTS. The validator writes a host's partition into the subject of its events, so an
 * analyzer replica that owns a partition (a consumer filtered on it) sees every event of every session of
 * those hosts, and no other replica sees any: a session is identified by host and session id, and the
 * resumed-session copies and per-user baselines that cross sessions mostly stay on one host too. Fixed here
 * because the validator and every analyzer replica must agree on it.
 */
const EVENT_PARTITIONS = 8;

/** The partition of a host's events: FNV-1a of its subject token, stable across releases and processes. */
function eventPartition(host: string): number {
  let h = 0x811c9dc5;
  for (const c of sanitizeToken(host)) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193);
  return (h >>> 0) % EVENT_PARTITIONS;
}

/**
 * A value made safe to be one subject token: lowercase, every run of characters outside `[a-z0-9_-]`
 * (dots, spaces, `*`, `>`) replaced by `_`, at most 64 characters, never empty.
 */
export function sanitizeToken(value: string): string {
  const t = value
    .toLowerCase()
    .replace(SUBJECT_TOKEN, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 64);
  return t.length > 0 ? t : 'unknown';
}

/**
 * The private reply-subject prefix of a host. A JetStream publish is a request (the PubAck comes back on the
 * publisher's inbox), so a host credential may subscribe to `<this>.>` and nothing else; the collector
 * connects with `inboxPrefix` set to it. A shared `_INBOX.>` grant would let one host read others' replies.
 */
export function hostInboxPrefix(host: string): string {
  return `_INBOX_${sanitizeToken(host)}`;
}

/** Everything named for one prefix. Build it once per process: `topology()` or `topology('t1')`. */
export function topology(prefix?: string) {
  const p = prefix ? sanitizeToken(prefix) : '';
  const root = p ? `${p}.cctap` : 'cctap';
  const upper = p ? `${p.toUpperCase().replace(/-/g, '_')}_` : '';
  const streamName = (key: StreamKey) => `${upper}CCTAP_${key.toUpperCase()}`;
  const consumerName = (key: ConsumerKey) => (p ? `${p}-${key}` : key);
  const subjectsOf = (key: StreamKey): string[] =>
    key === 'advisories'
      ? (['raw', 'events', 'invalid', 'derived', 'alerts'] as const).flatMap((s) => [
          `$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.${streamName(s)}.*`,
          `$JS.EVENT.ADVISORY.CONSUMER.MSG_TERMINATED.${streamName(s)}.*`,
        ])
      : [`${root}.${key}.>`];

  return {
    prefix: p,
    root,
    /** EVENT_PARTITIONS: partitions of the events stream, numbered 0 .. partitions - 1. */
    partitions: EVENT_PARTITIONS,
    stream: streamName,
    streamSubjects: subjectsOf,
    consumer: consumerName,
    consumerStream: (key: ConsumerKey) => streamName(CONSUMERS[key].stream),
    bucket: (key: BucketKey) => `${p ? `${p}_` : ''}cctap_${BUCKETS[key]}`,
    subjects: {
      raw: (host: string) => `${root}.raw.${sanitizeToken(host)}`,
      events: (host: string) => `${root}.events.${sanitizeToken(host)}.${eventPartition(host)}`,
      /** Filter of one partition's events (what an analyzer replica's partition consumer reads). */
      eventsPartition: (partition: number) => `${root}.events.*.${partition}`,
      invalid: (host: string) => `${root}.invalid.${sanitizeToken(host)}`,
      derived: (kind: string, host: string) => `${root}.derived.${sanitizeToken(kind)}.${sanitizeToken(host)}`,
      alerts: (severity: string, rule: string) => `${root}.alerts.${sanitizeToken(severity)}.${sanitizeToken(rule)}`,
      dlq: (consumer: string) => `${root}.dlq.${sanitizeToken(consumer)}`,
    },
    /** The host token of a `<root>.raw.<host>` (or invalid, or events with or without its partition) subject. */
    hostOf(subject: string): string | null {
      if (!subject.startsWith(`${root}.`)) return null;
      const rest = subject.slice(root.length + 1).split('.');
      if (rest.length === 2 && (rest[0] === 'raw' || rest[0] === 'events' || rest[0] === 'invalid')) return rest[1]!;
      if (rest.length === 3 && rest[0] === 'events') return rest[1]!;
      if (rest.length === 3 && rest[0] === 'derived') return rest[2]!;
      return null;
    },
  } as const;
}

export type Topology = ReturnType<typeof topology>;
