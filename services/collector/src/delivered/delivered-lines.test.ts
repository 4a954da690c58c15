import { appendFileSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import {
  DeliveredLines,
  decodeRecords,
  encodeRecords,
  PIN_BYTES,
  RECORD_BYTES,
  RETAIN_DAYS,
  streamOf,
} from './delivered-lines.js';
import { LineKeySet, lineKeyHash } from './line-key-set.js';
import { tempDirs } from '../testing/temp-dirs.js';

const { make: tmp, removeAll } = tempDirs('cctap-delivered-');
afterEach(removeAll);

describe('delivered-line records', () => {
  it('a record is the first 8 bytes of sha256(line key), big-endian', () => {
    const h = lineKeyHash('u:abc');
    expect(h).toBe(createHash('sha256').update('u:abc').digest().readBigUInt64BE(0));
    const buf = encodeRecords([h, 1n]);
    expect(buf.length).toBe(2 * RECORD_BYTES);
    expect(buf.subarray(0, 8)).toEqual(createHash('sha256').update('u:abc').digest().subarray(0, 8));
    expect([...decodeRecords(buf)]).toEqual([1n, h]); // sorted
  });

  it('appends uuid keys to .lines and content keys to .meta; loads either or both; ignores a torn record', () => {
    const dir = tmp();
    const d = new DeliveredLines(dir);
    const stream = streamOf('/r/projects/-a/s1.jsonl');
    expect(d.known(stream)).toBe(false);
    d.record(stream, ['u:1', 'c:aa', 'u:2']);
    expect(d.known(stream)).toBe(true);
    expect(statSync(join(dir, `${stream}.lines`)).size).toBe(16);
    expect(statSync(join(dir, `${stream}.meta`)).size).toBe(8);
    const meta = d.load(stream, ['meta']);
    expect(meta.has(lineKeyHash('c:aa'))).toBe(true);
    expect(meta.has(lineKeyHash('u:1'))).toBe(false);
    const all = d.load(stream, ['lines', 'meta']);
    for (const k of ['u:1', 'u:2', 'c:aa']) expect(all.has(lineKeyHash(k))).toBe(true);
    expect(all.has(lineKeyHash('u:3'))).toBe(false);

    // A write cut short leaves a partial record: ignored when read, trimmed before the next append.
    appendFileSync(join(dir, `${stream}.lines`), Buffer.from([1, 2, 3]));
    expect(new DeliveredLines(dir).load(stream, ['lines']).size).toBe(2);
    const again = new DeliveredLines(dir);
    again.record(stream, ['u:3']);
    expect(statSync(join(dir, `${stream}.lines`)).size).toBe(24);
    expect(again.load(stream, ['lines']).has(lineKeyHash('u:3'))).toBe(true);
    d.close();
    again.close();
  });

  it('appends every record however many streams are written in turn, with files kept open and after close()', () => {
    const dir = tmp();
    const d = new DeliveredLines(dir);
    const streams = Array.from({ length: 40 }, (_, i) => streamOf(`/r/projects/-a/s${i}.jsonl`));
    // Three rounds over 40 streams: more files than are kept open, so each round reopens the evicted ones.
    for (let round = 0; round < 3; round++) for (const s of streams) d.record(s, [`u:${round}`, `c:${round}`]);
    // Open by another writer between two appends: a torn record is trimmed when the file is opened again.
    appendFileSync(join(dir, `${streams[0]}.lines`), Buffer.from([9, 9]));
    for (const s of streams) d.record(s, ['u:3']); // streams[0] was evicted by the 39 others since its last write
    d.close();
    d.record(streams[1]!, ['u:4']);
    for (const [i, s] of streams.entries()) {
      expect(statSync(join(dir, `${s}.lines`)).size, s).toBe((i === 1 ? 5 : 4) * RECORD_BYTES);
      expect(statSync(join(dir, `${s}.meta`)).size, s).toBe(3 * RECORD_BYTES);
      const keys = new DeliveredLines(dir).load(s, ['lines', 'meta']);
      for (const k of ['u:0', 'u:1', 'u:2', 'u:3', 'c:0', 'c:1', 'c:2']) expect(keys.has(lineKeyHash(k)), k).toBe(true);
    }
  });

  it('pins: 8-byte key hash + 8-byte epoch ms; the first pin of a key wins; a torn record is ignored', () => {
    const dir = tmp();
    const d = new DeliveredLines(dir);
    const stream = streamOf('/r/projects/-a/s1.jsonl');
    const t = Date.parse('2026-03-01T23:59:59.123Z');
    d.pin(stream, [
      [lineKeyHash('c:aa'), t],
      [lineKeyHash('c:bb'), 0],
    ]);
    d.pin(stream, [[lineKeyHash('c:aa'), t + 1]]);
    expect(d.known(stream)).toBe(true);
    const file = join(dir, `${stream}.pins`);
    expect(statSync(file).size).toBe(3 * PIN_BYTES);
    expect(readFileSync(file).readBigInt64BE(8)).toBe(BigInt(t));
    appendFileSync(file, Buffer.from([9, 9]));
    expect(new DeliveredLines(dir).loadPins(stream)).toEqual(
      new Map([
        [lineKeyHash('c:aa'), t],
        [lineKeyHash('c:bb'), 0],
      ]),
    );
  });

  it('the stream is the session (and agent) of the path, whatever folder it is in', () => {
    expect(streamOf('/r/projects/-a/s1.jsonl')).toBe(streamOf('/other/projects/-b/s1.jsonl'));
    expect(streamOf('/r/projects/-a/s1.jsonl')).not.toBe(streamOf('/r/projects/-a/s2.jsonl'));
    expect(streamOf('/r/projects/-a/s1/subagents/agent-x.jsonl')).not.toBe(streamOf('/r/projects/-a/s1.jsonl'));
  });

  it('removes record files not written for RETAIN_DAYS', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'old.lines'), Buffer.alloc(8));
    writeFileSync(join(dir, 'new.lines'), Buffer.alloc(8));
    const old = new Date(Date.now() - (RETAIN_DAYS + 1) * 86_400_000);
    utimesSync(join(dir, 'old.lines'), old, old);
    expect(new DeliveredLines(dir).prune()).toBe(1);
    expect(readFileSync(join(dir, 'new.lines')).length).toBe(8);
  });
});

describe('LineKeySet', () => {
  it('finds loaded and added keys', () => {
    const s = new LineKeySet(decodeRecords(encodeRecords([5n, 3n, 9n, 2n ** 63n])));
    for (const k of [3n, 5n, 9n, 2n ** 63n]) expect(s.has(k)).toBe(true);
    for (const k of [0n, 4n, 10n, 2n ** 64n - 1n]) expect(s.has(k)).toBe(false);
    s.add(4n);
    expect(s.has(4n)).toBe(true);
    expect(s.size).toBe(5);
  });
});
