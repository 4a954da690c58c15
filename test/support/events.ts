/**
 * Hand-built events and batches that satisfy the contract, for tests that need realistic input without
 * depending on the normalizer's timing or output details.
 */
import { batchMsgId, encodeBatch, SCHEMA_VERSION, type Batch, type CctapEvent, type EventOf } from '@cctap/events';
import { sampleEvent } from '@cctap/events/testing';

export interface EventOpts {
  host?: string;
  fileId?: string;
  offset?: number;
  ts?: string;
  ccVersion?: string;
  text?: string;
}

export function promptEvent(o: EventOpts = {}): EventOf<'prompt'> {
  const offset = o.offset ?? 0;
  const text = o.text ?? `prompt at ${offset}`;
  return sampleEvent(
    'prompt',
    { text, chars: text.length, permissionMode: null },
    {
      host: o.host ?? 'host-a',
      file: o.fileId ?? '0123456789abcdef',
      offset,
      ts: o.ts ?? '2026-02-12T16:02:27.718Z',
      user: 'dev',
      project: '/home/dev/project',
      ccVersion: o.ccVersion ?? '2.1.3',
      path: '/home/dev/.claude/projects/p/s.jsonl',
    },
  );
}

/** A batch of `n` prompt events starting at byte `from`, each line 100 bytes long. */
export function batchOf(n: number, o: EventOpts & { from?: number } = {}): Batch {
  const host = o.host ?? 'host-a';
  const fileId = o.fileId ?? '0123456789abcdef';
  const from = o.from ?? 0;
  const events: CctapEvent[] = Array.from({ length: n }, (_, i) =>
    promptEvent({ ...o, host, fileId, offset: from + i * 100 }),
  );
  return {
    v: SCHEMA_VERSION,
    host,
    source: { path: '/home/dev/.claude/projects/p/s.jsonl', fileId, from, to: from + n * 100 },
    events,
  };
}

export function batchWith(
  events: unknown[],
  o: { host?: string; fileId?: string; from?: number; to?: number } = {},
): Uint8Array {
  const host = o.host ?? 'host-a';
  return new TextEncoder().encode(
    JSON.stringify({
      v: SCHEMA_VERSION,
      host,
      source: { path: '/p.jsonl', fileId: o.fileId ?? '0123456789abcdef', from: o.from ?? 0, to: o.to ?? 100 },
      events,
    }),
  );
}

export function msgIdOf(b: Batch): string {
  return batchMsgId(b.host, b.source.fileId, b.source.from, b.source.to);
}

export { encodeBatch };
