import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { fileId } from '@cctap/events';

/** A corpus file held in memory as the chunks a tailer would read, so timing excludes disk I/O. */
export interface LoadedFile {
  path: string;
  fileId: string;
  mtime: string;
  bytes: number;
  chunks: Buffer[];
}

export const CHUNK_BYTES = 1 << 20;

export function loadChunks(path: string): LoadedFile {
  const st = statSync(path);
  const fd = openSync(path, 'r');
  const chunks: Buffer[] = [];
  try {
    for (;;) {
      const buf = Buffer.allocUnsafe(CHUNK_BYTES);
      const n = readSync(fd, buf, 0, CHUNK_BYTES, null);
      if (n === 0) break;
      chunks.push(n === CHUNK_BYTES ? buf : Buffer.from(buf.subarray(0, n)));
    }
  } finally {
    closeSync(fd);
  }
  const head = createHash('sha256')
    .update((chunks[0] ?? Buffer.alloc(0)).subarray(0, 4096))
    .digest('hex');
  return { path, fileId: fileId(st.dev, st.ino, head), mtime: st.mtime.toISOString(), bytes: st.size, chunks };
}
