import { describe, expect, it } from 'vitest';
import { encodeBatch, SCHEMA_VERSION, type CctapEvent } from '@cctap/events';
import { eventId } from '@cctap/events/internal';
import { BatchCutter, type LineResult } from './batch-cutter.js';
import { AckFrontier } from './ack-frontier.js';

function line(offset: number, len: number, text: string): LineResult {
  const ev = {
    id: eventId('h', 'f', offset, 0),
    type: 'meta',
    ts: '2026-01-01T00:00:00.000Z',
    tsSource: 'line',
    host: 'h',
    user: 'u',
    sessionId: 's',
    agentId: null,
    sidechain: false,
    cwd: '/p',
    project: '/p',
    gitBranch: '',
    ccVersion: '',
    lineUuid: null,
    parentUuid: null,
    source: { path: '/p/a.jsonl', offset },
    payload: { lineType: 'summary', subtype: null, text },
  } satisfies CctapEvent;
  return { offset, end: offset + len, events: [ev], malformed: false, key: `c:${offset}` };
}

describe('BatchCutter', () => {
  it('produces exactly what encodeBatch produces', () => {
    const c = new BatchCutter({ host: 'h', path: '/p/a.jsonl', fileId: 'f', from: 0, lastTs: null, maxLines: 2 });
    const l1 = line(0, 10, 'é "quoted"');
    const l2 = line(10, 7, 'two');
    const [b] = c.add(l1).concat(c.add(l2));
    const expected = encodeBatch({
      v: SCHEMA_VERSION,
      host: 'h',
      source: { path: '/p/a.jsonl', fileId: 'f', from: 0, to: 17 },
      events: [...l1.events, ...l2.events],
    });
    expect(Buffer.from(b!.payload).toString()).toBe(Buffer.from(expected).toString());
  });

  it('cuts the same ranges from the same start however the lines arrive, and stays under the size limit', () => {
    const lines = Array.from({ length: 50 }, (_, i) => line(i * 100, 100, 'x'.repeat(i * 20)));
    const ranges = (maxEncodedBytes: number) => {
      const c = new BatchCutter({
        host: 'h',
        path: '/p/a.jsonl',
        fileId: 'f',
        from: 0,
        lastTs: null,
        maxLines: 8,
        maxEncodedBytes,
      });
      const out = lines.flatMap((l) => c.add(l));
      const last = c.flush();
      if (last) out.push(last);
      for (const b of out) if (b.lines > 1) expect(b.payload.length).toBeLessThanOrEqual(maxEncodedBytes);
      return out.map((b) => [b.from, b.to]);
    };
    const a = ranges(4000);
    expect(a).toEqual(ranges(4000));
    expect(a[0]![0]).toBe(0);
    for (let i = 1; i < a.length; i++) expect(a[i]![0]).toBe(a[i - 1]![1]);
    expect(a[a.length - 1]![1]).toBe(5000);
  });
});

describe('AckFrontier', () => {
  it('advances only over a contiguous prefix of acknowledged batches', () => {
    const f = new AckFrontier({ offset: 0, lastTs: null });
    f.sent(0, 10, 'a');
    f.sent(10, 20, 'b');
    f.sent(20, 30, 'c');
    expect(f.acked(10, 20)).toBe(false);
    expect(f.frontier.offset).toBe(0);
    expect(f.acked(0, 10)).toBe(true);
    expect(f.frontier).toEqual({ offset: 20, lastTs: 'b' });
    expect(() => f.sent(31, 40, null)).toThrow();
    f.acked(20, 30);
    expect(f.frontier.offset).toBe(30);
    expect(f.inFlight).toBe(0);
  });
});
