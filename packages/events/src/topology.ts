/**
 * Subject, stream, consumer and bucket names: the one table every component reads (DESIGN section 6).
 *
 *   cctap.raw.<host>                 collector -> CCTAP_RAW       (validator)
 *   cctap.events.<host>              validator -> CCTAP_EVENTS    (analyzer, alerter, sink)
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
} as const satisfies Record<string, string>;
export type BucketKey = keyof typeof BUCKETS;

const SUBJECT_TOKEN = /[^a-z0-9_-]+/g;

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
    stream: streamName,
    streamSubjects: subjectsOf,
    consumer: consumerName,
    consumerStream: (key: ConsumerKey) => streamName(CONSUMERS[key].stream),
    bucket: (key: BucketKey) => `${p ? `${p}_` : ''}cctap_${BUCKETS[key]}`,
    subjects: {
      raw: (host: string) => `${root}.raw.${sanitizeToken(host)}`,
      events: (host: string) => `${root}.events.${sanitizeToken(host)}`,
      invalid: (host: string) => `${root}.invalid.${sanitizeToken(host)}`,
      derived: (kind: string, host: string) => `${root}.derived.${sanitizeToken(kind)}.${sanitizeToken(host)}`,
      alerts: (severity: string, rule: string) => `${root}.alerts.${sanitizeToken(severity)}.${sanitizeToken(rule)}`,
      dlq: (consumer: string) => `${root}.dlq.${sanitizeToken(consumer)}`,
    },
    /** The host token of a `<root>.raw.<host>` (or events/invalid) subject; null when it is not one. */
    hostOf(subject: string): string | null {
      if (!subject.startsWith(`${root}.`)) return null;
      const rest = subject.slice(root.length + 1).split('.');
      if (rest.length === 2 && (rest[0] === 'raw' || rest[0] === 'events' || rest[0] === 'invalid')) return rest[1]!;
      if (rest.length === 3 && rest[0] === 'derived') return rest[2]!;
      return null;
    },
  } as const;
}

export type Topology = ReturnType<typeof topology>;
