/**
 * Records the lines of [0, offset) of a file as delivered, read from the file itself: for a file resumed at
 * a checkpoint (everything before it is acknowledged) of a session that has no records yet. That is a
 * collector upgraded from before records existed, or a records directory lost while the checkpoints were
 * kept; without this the first rewrite of such a session would publish every line before it again. Once
 * per session: afterwards its records exist and grow as batches are acknowledged.
 *
 * Lines are split as TranscriptStream splits them (at every newline); a line that is not JSON is keyed by
 * its bytes, like its malformed event.
 */
import type { FileHandle } from 'node:fs/promises';
import { lineKeyOf } from '@cctap/transcript';
import type { DeliveredLines } from './delivered-lines.js';

const CHUNK = 1024 * 1024;
const FLUSH_KEYS = 4096;

function keyOf(line: Buffer): string {
  let uuid: unknown = null;
  try {
    const rec: unknown = JSON.parse(line.toString());
    if (rec && typeof rec === 'object' && !Array.isArray(rec)) uuid = (rec as Record<string, unknown>).uuid;
  } catch {
    // not JSON: keyed by its bytes
  }
  return lineKeyOf(uuid, line);
}

/** Returns how many lines were recorded. */
export async function recordAcknowledged(
  fh: FileHandle,
  offset: number,
  delivered: DeliveredLines,
  stream: string,
): Promise<number> {
  const buf = Buffer.allocUnsafe(CHUNK);
  let pending: Buffer = Buffer.alloc(0);
  let keys: string[] = [];
  let n = 0;
  for (let pos = 0; pos < offset;) {
    const { bytesRead } = await fh.read(buf, 0, Math.min(CHUNK, offset - pos), pos);
    if (bytesRead === 0) break;
    pos += bytesRead;
    const data = pending.length > 0 ? Buffer.concat([pending, buf.subarray(0, bytesRead)]) : buf.subarray(0, bytesRead);
    let start = 0;
    for (let nl = data.indexOf(0x0a); nl >= 0; nl = data.indexOf(0x0a, start)) {
      keys.push(keyOf(data.subarray(start, nl)));
      start = nl + 1;
      if (keys.length >= FLUSH_KEYS) {
        delivered.record(stream, keys);
        n += keys.length;
        keys = [];
      }
    }
    pending = Buffer.from(data.subarray(start));
  }
  delivered.record(stream, keys);
  return n + keys.length;
}
