/**
 * Rows as JSONEachRow bytes (one JSON object per line, the format the embedded engine is given), in a buffer
 * of their own so it can be moved to the engine's thread without a copy. Each row's JSON is copied into the
 * buffer at its place; the lines are never joined into one text first (a copy of the whole insert, twice its
 * size when any character is outside Latin-1).
 */
export function jsonEachRow(rows: readonly object[]): Uint8Array {
  const lines = rows.map((r) => JSON.stringify(r));
  let size = lines.length;
  for (const l of lines) size += Buffer.byteLength(l);
  const buf = Buffer.allocUnsafeSlow(size); // not from the shared pool: the whole ArrayBuffer is transferred
  let at = 0;
  for (const l of lines) {
    at += buf.write(l, at);
    buf[at++] = 0x0a;
  }
  return new Uint8Array(buf.buffer, 0, size);
}
