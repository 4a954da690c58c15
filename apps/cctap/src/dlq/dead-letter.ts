/**
 * One dead letter as `cctap dlq` shows it, wherever it is kept: the CCTAP_DLQ stream (nats-dead-letters.ts)
 * or the file of `cctap up` (file-dead-letters.ts).
 */
export interface DeadLetter {
  /** What `cctap dlq show|replay` takes: the CCTAP_DLQ sequence, or the line number in the file. */
  id: string;
  /** When it was dead-lettered, ISO 8601. */
  at: string;
  /** The stream the original was in, and its sequence there. */
  stream: string;
  seq: number;
  consumer: string;
  kind: 'max_deliveries' | 'terminated';
  /** The subject the original was published to; '' when the original was gone before it could be kept. */
  subject: string;
  deliveries: number;
  reason: string;
  /** The original's own headers (not the dead letter's). */
  headers: Record<string, string>;
  data: Uint8Array;
}

/** The kind a reason names: the forwarder, the bus and the in-process file all start it the same way. */
export function kindOfReason(reason: string): DeadLetter['kind'] {
  return reason.startsWith('max deliveries') ? 'max_deliveries' : 'terminated';
}

/** A dead letter without its payload and headers, as `cctap dlq list --json` prints it. */
export function summaryOf(d: DeadLetter) {
  const { id, at, stream, seq, consumer, kind, subject, deliveries, reason } = d;
  return { id, at, stream, seq, consumer, kind, subject, deliveries, size: d.data.byteLength, reason };
}
