import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesOf, encoder, envelope } from '../testing/lines.js';
import { TranscriptStream, type NormalizedLine } from './transcript-stream.js';
import { seedProperties } from '../testing/property-seed.js';

seedProperties();

const FIXTURE = fileURLToPath(
  new URL('../../../../test/fixtures/real/spotter-v2.1.38-tool-heavy-interrupt.jsonl', import.meta.url),
);
const FILE_TS = '2026-01-01T00:00:00.000Z';

const open = (startOffset = 0, lastTs: string | null = null) =>
  new TranscriptStream({
    host: 'h1',
    user: 'dev',
    path: '/p/-x/55604662.jsonl',
    fileId: '0123456789abcdef',
    privacy: 'redacted',
    startOffset,
    lastTs,
    fileTs: FILE_TS,
  });

function feed(stream: TranscriptStream, bytes: Uint8Array, cuts: number[]): NormalizedLine[] {
  const points = [...new Set(cuts)].sort((a, b) => a - b);
  const out: NormalizedLine[] = [];
  let at = 0;
  for (const p of [...points, bytes.length]) {
    out.push(...stream.push(bytes.subarray(at, p)));
    at = p;
  }
  return out;
}

describe('TranscriptStream', () => {
  const file = new Uint8Array(readFileSync(FIXTURE));
  const whole = open().push(file);

  it('gives the same lines and events whatever the chunk boundaries', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: file.length }), { maxLength: 40 }), (cuts) => {
        const s = open();
        const got = feed(s, file, cuts);
        expect(got).toEqual(whole);
        expect(s.offset).toBe(file.length);
        expect(s.pending).toBe(0);
      }),
      { numRuns: 60 },
    );
  });

  it('byte-at-a-time feeding gives the same result', () => {
    const s = open();
    const got: NormalizedLine[] = [];
    for (let i = 0; i < file.length; i += 1) got.push(...s.push(file.subarray(i, i + 1)));
    expect(got).toEqual(whole);
  });

  it('keeps a partial last line until its newline and reports contiguous ranges', () => {
    const a = bytesOf(envelope({ type: 'summary', summary: 's', leafUuid: 'x' }));
    const b = bytesOf(envelope({ type: 'user', message: { role: 'user', content: 'hello' } }));
    const s = open(100);
    const first = s.push(new Uint8Array([...a, 10, ...b.subarray(0, 10)]));
    expect(first.map((l) => [l.offset, l.end])).toEqual([[100, 100 + a.length + 1]]);
    expect(s.offset).toBe(100 + a.length + 1);
    expect(s.pending).toBe(10);
    expect(s.push(b.subarray(10))).toEqual([]);
    expect(s.pending).toBe(b.length);
    const second = s.push(new Uint8Array([10]));
    expect(second.map((l) => [l.offset, l.end])).toEqual([[100 + a.length + 1, 100 + a.length + 1 + b.length + 1]]);
    expect(second[0]!.events[0]!.type).toBe('prompt');
    expect(s.pending).toBe(0);
  });

  it.each([
    ['Uint8Array', (b: Uint8Array) => new Uint8Array(b)],
    // Buffer#slice returns a view, so a Buffer read buffer is the case that bites a tailer.
    ['Buffer', (b: Uint8Array) => Buffer.from(b)],
  ])('does not keep a reference to the caller %s of a partial line', (_name, wrap) => {
    const line = bytesOf(envelope({ type: 'user', message: { role: 'user', content: 'original' } }));
    const buf = wrap(line);
    const s = open();
    s.push(buf);
    buf.fill(0x20); // the caller reuses its read buffer
    const [l] = s.push(new Uint8Array([10]));
    expect(l!.malformed).toBe(false);
  });

  it('carries the last timestamp to untimed lines and restarts from a checkpoint with the same result', () => {
    const timed = bytesOf(
      envelope({ type: 'user', timestamp: '2026-02-10T21:11:56.846Z', message: { role: 'user', content: 'hi' } }),
    );
    const untimed = bytesOf({ type: 'file-history-snapshot', messageId: 'x', snapshot: {}, isSnapshotUpdate: false });
    const all = new Uint8Array([...untimed, 10, ...timed, 10, ...untimed, 10]);
    const s = open();
    const lines = s.push(all);
    expect(lines.map((l) => [l.events[0]!.ts, l.events[0]!.tsSource])).toEqual([
      [FILE_TS, 'file'],
      ['2026-02-10T21:11:56.846Z', 'line'],
      ['2026-02-10T21:11:56.846Z', 'carried'],
    ]);
    expect(s.lastTs).toBe('2026-02-10T21:11:56.846Z');
    // A restart from the checkpoint taken after line 2 reproduces line 3 exactly (same id, same ts).
    const restarted = open(lines[1]!.end, '2026-02-10T21:11:56.846Z').push(all.subarray(lines[1]!.end));
    expect(restarted).toEqual([lines[2]]);
  });

  it('turns a malformed or blank line into exactly one malformed event', () => {
    const s = open();
    const lines = s.push(encoder.encode('{"type":"user",\n\n[1,2]\n"str"\n'));
    expect(
      lines.map((l) => [
        l.malformed,
        l.events.length,
        l.events[0]!.type,
        l.events[0]!.type === 'malformed' && l.events[0]!.payload.reason,
      ]),
    ).toEqual([
      [true, 1, 'malformed', 'invalid_json'],
      [true, 1, 'malformed', 'empty'],
      [true, 1, 'malformed', 'not_an_object'],
      [true, 1, 'malformed', 'not_an_object'],
    ]);
  });
});
