/** Real transcripts -> normalized events, the way the collector produces them (TranscriptStream). */
import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { fileId, type CctapEvent } from '@cctap/events';
import { TranscriptStream } from '@cctap/transcript';

export function fixtureEvents(path: string, host = 'host-a', user = 'alice'): CctapEvent[] {
  const bytes = readFileSync(path);
  const st = statSync(path);
  const stream = new TranscriptStream({
    host,
    user,
    path,
    fileId: fileId(st.dev, st.ino, basename(path)),
    privacy: 'redacted',
    startOffset: 0,
    lastTs: null,
    fileTs: st.mtime.toISOString(),
  });
  return stream.push(bytes).flatMap((l) => l.events);
}
