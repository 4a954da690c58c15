import { describe, expect, it } from 'vitest';
import { lineEventId } from '@cctap/events';
import { TranscriptStream } from '../stream/transcript-stream.js';
import { lineKeyOf } from './line-key.js';
import { normalizeLine } from './normalize-line.js';
import { assistantText, bytesOf, encoder, lineCtx, userPrompt } from '../testing/lines.js';

const stream = (path: string, startOffset = 0, lastTs: string | null = null) =>
  new TranscriptStream({
    host: 'h',
    user: 'u',
    path,
    fileId: `f-${path}`,
    privacy: 'full',
    startOffset,
    lastTs,
    fileTs: '2026-01-01T00:00:00.000Z',
  });

describe('line identity', () => {
  it('is the uuid when the line has one, else a hash of its bytes', () => {
    expect(lineKeyOf('abc', encoder.encode('{}'))).toBe('u:abc');
    expect(lineKeyOf(undefined, encoder.encode('{"type":"mode"}'))).toMatch(/^c:[0-9a-f]{32}$/);
    expect(lineKeyOf('', encoder.encode('{"type":"mode"}'))).toBe(lineKeyOf(null, encoder.encode('{"type":"mode"}')));
    expect(lineKeyOf(null, encoder.encode('{"type":"mode"}'))).not.toBe(
      lineKeyOf(null, encoder.encode('{"type":"mode" }')),
    );
  });

  it('gives a line the same event ids wherever it sits: another offset, another file, another folder', () => {
    const prompt = bytesOf(userPrompt('hello'));
    const answer = bytesOf(assistantText('hi'));
    const a = stream('/r/projects/-a/55604662.jsonl');
    const first = a.push(Buffer.concat([prompt, Buffer.from('\n'), answer, Buffer.from('\n')]));
    // The prompt removed in place: the answer now starts at 0; then the file moved to another project folder.
    const b = stream('/r/projects/-b/55604662.jsonl');
    const second = b.push(Buffer.concat([answer, Buffer.from('\n')]));
    expect(second[0]!.offset).toBe(0);
    expect(second[0]!.events.map((e) => e.id)).toEqual(first[1]!.events.map((e) => e.id));
    expect(second[0]!.key).toBe(first[1]!.key);
    const r = normalizeLine(answer, lineCtx('full', { host: 'h', offset: 12345 }));
    expect('events' in r && r.events.map((e) => e.id)).toEqual(first[1]!.events.map((e) => e.id));
  });

  it('is lineEventId(host, sessionId, key, index): metadata lines repeat as one line, per session', () => {
    const meta = '{"type":"permission-mode","permissionMode":"default","sessionId":"s1"}';
    const lines = stream('/r/projects/-a/s1.jsonl').push(
      encoder.encode(`${meta}\n{"type":"mode","mode":"x"}\n${meta}\n`),
    );
    expect(lines[2]!.events[0]!.id).toBe(lines[0]!.events[0]!.id);
    expect(lines[1]!.events[0]!.id).not.toBe(lines[0]!.events[0]!.id);
    expect(lines[0]!.events[0]!.id).toBe(lineEventId('h', 's1', lineKeyOf(null, encoder.encode(meta)), 0));
    const other = stream('/r/projects/-a/s2.jsonl').push(encoder.encode(`${meta.replace('s1', 's2')}\n`));
    expect(other[0]!.events[0]!.id).not.toBe(lines[0]!.events[0]!.id);
  });

  it('keys a line that is not JSON by its bytes', () => {
    const lines = stream('/r/projects/-a/s1.jsonl').push(encoder.encode('not json\n{"type":"mode"}\nnot json\n'));
    expect(lines[0]!.malformed).toBe(true);
    expect(lines[0]!.key).toBe(lineKeyOf(null, encoder.encode('not json')));
    expect(lines[2]!.events[0]!.id).toBe(lines[0]!.events[0]!.id);
  });
});
