import { describe, expect, it } from 'vitest';
import type { CctapEvent } from '@cctap/events';
import { normalizeLine } from '../normalize/normalize-line.js';
import { bytesOf, envelope, lineCtx } from '../testing/lines.js';
import { UsageLedger } from './usage-ledger.js';

let nextOffset = 0;

function assistant(
  id: string | null,
  req: string | null,
  output: number,
  extra: Record<string, unknown> = {},
  sessionId = 's1',
): CctapEvent {
  const line = envelope({
    type: 'assistant',
    sessionId,
    ...(req === null ? {} : { requestId: req }),
    message: {
      model: 'claude-opus-4-6',
      ...(id === null ? {} : { id }),
      content: [],
      usage: { input_tokens: 1, output_tokens: output, cache_read_input_tokens: 100 },
    },
    ...extra,
  });
  const r = normalizeLine(bytesOf(line), lineCtx('redacted', { offset: (nextOffset += 1000) }));
  if ('failure' in r) throw new Error(r.detail);
  return r.events[0]!;
}

describe('UsageLedger', () => {
  it('keeps the largest line per (message, request), never the sum or the first', () => {
    const l = new UsageLedger();
    for (const out of [3, 172, 172, 5]) l.add(assistant('msg_a', 'req_a', out));
    l.add(assistant('msg_b', 'req_b', 10));
    expect(l.totals()).toMatchObject({ responses: 2, output: 182, cacheRead: 200, input: 2 });
    expect(l.responses().find((r) => r.messageId === 'msg_a')?.usage.output).toBe(172);
  });

  it('dedups across files (same ids from another file count once) and keeps a new requestId apart', () => {
    const l = new UsageLedger();
    l.add(assistant('msg_a', 'req_a', 50));
    l.add(assistant('msg_a', 'req_a', 50)); // resume copy in another file
    l.add(assistant('msg_a', 'req_other', 50));
    expect(l.totals().responses).toBe(2);
  });

  it('scopes message-id-only keys to the session', () => {
    const l = new UsageLedger();
    l.add(assistant('msg_same', null, 10, {}, 's1'));
    l.add(assistant('msg_same', null, 20, {}, 's1'));
    l.add(assistant('msg_same', null, 30, {}, 's2'));
    expect(l.totals()).toMatchObject({ responses: 2, output: 50 });
  });

  it('ignores synthetic lines, API error lines and non-assistant events', () => {
    const l = new UsageLedger();
    l.add(
      assistant('m1', 'r1', 99, {
        message: {
          model: '<synthetic>',
          id: 'm1',
          content: [{ type: 'text', text: 'No response requested.' }],
          usage: { output_tokens: 99 },
        },
      }),
    );
    l.add(
      assistant('m2', 'r2', 0, {
        isApiErrorMessage: true,
        message: { model: '<synthetic>', id: 'm2', content: [{ type: 'text', text: 'API Error: 529 Overloaded' }] },
      }),
    );
    expect(l.totals().responses).toBe(0);
  });

  it('keeps tokens only: a response carries no cost', () => {
    const l = new UsageLedger();
    l.add(assistant('m1', 'r1', 10));
    expect(l.responses()[0]).not.toHaveProperty('usd');
    expect(l.totals()).not.toHaveProperty('usd');
  });
});
