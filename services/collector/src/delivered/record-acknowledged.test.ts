import { writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { lineKeyOf } from '@cctap/transcript';
import { DeliveredLines, streamOf } from './delivered-lines.js';
import { tempDirs } from '../testing/temp-dirs.js';
import { lineKeyHash } from './line-key-set.js';
import { recordAcknowledged } from './record-acknowledged.js';

const { make: tmp, removeAll } = tempDirs('cctap-record-');
afterEach(removeAll);

describe('recording what a checkpoint says was acknowledged', () => {
  it('keys every complete line before the offset as the normalizer does, and nothing after it', async () => {
    const dir = tmp();
    const lines = [
      '{"type":"user","uuid":"u-1","message":{"content":"hi"}}',
      '{"type":"mode","mode":"x"}',
      'not json',
      '{"type":"user","uuid":"u-2"}',
    ];
    const file = join(dir, 's1.jsonl');
    writeFileSync(file, lines.map((l) => `${l}\n`).join(''));
    const offset = lines.slice(0, 3).join('\n').length + 1;
    const d = new DeliveredLines(join(dir, 'delivered'));
    const stream = streamOf(file);
    const fh = await open(file, 'r');
    try {
      expect(await recordAcknowledged(fh, offset, d, stream)).toBe(3);
    } finally {
      await fh.close();
    }
    const all = d.load(stream, ['lines', 'meta']);
    const enc = (s: string) => Buffer.from(s);
    expect(all.has(lineKeyHash('u:u-1'))).toBe(true);
    expect(all.has(lineKeyHash(lineKeyOf(null, enc(lines[1]!))))).toBe(true);
    expect(all.has(lineKeyHash(lineKeyOf(null, enc(lines[2]!))))).toBe(true);
    expect(all.has(lineKeyHash('u:u-2'))).toBe(false);
  });
});
