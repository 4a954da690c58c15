/**
 * The dead letters of `cctap up` on its in-process bus: `<data>/dead-letters.jsonl` (up/dead-letter-file.ts
 * writes it, one JSON object per line). A dead letter's id is its line number. Nothing consumes them there:
 * they stay in the file until it is removed; replaying one needs the NATS pipeline.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEAD_LETTER_FILE } from '../up/dead-letter-file.js';
import { kindOfReason, type DeadLetter } from './dead-letter.js';

interface Line {
  at?: string;
  consumer?: string;
  stream?: string;
  subject?: string;
  seq?: number;
  deliveries?: number;
  kind?: string;
  reason?: string;
  data?: string;
  dataBase64?: string;
}

export const deadLetterFilePath = (dataDir: string): string => join(dataDir, DEAD_LETTER_FILE);

/** Every dead letter in the file (none when there is no file); a line that is not JSON is skipped. */
export function readDeadLetterFile(dataDir: string): DeadLetter[] {
  const path = deadLetterFilePath(dataDir);
  if (!existsSync(path)) return [];
  const out: DeadLetter[] = [];
  readFileSync(path, 'utf8')
    .split('\n')
    .forEach((text, i) => {
      if (text.trim() === '') return;
      let l: Line;
      try {
        l = JSON.parse(text) as Line;
      } catch {
        return; // a line cut short by a crash mid-write
      }
      const reason = l.reason ?? '';
      out.push({
        id: String(i + 1),
        at: l.at ?? '',
        stream: l.stream ?? '',
        seq: l.seq ?? 0,
        consumer: l.consumer ?? '',
        kind: l.kind === 'max_deliveries' || l.kind === 'terminated' ? l.kind : kindOfReason(reason),
        subject: l.subject ?? '',
        deliveries: l.deliveries ?? 0,
        reason,
        headers: {},
        data:
          l.data !== undefined
            ? new TextEncoder().encode(l.data)
            : new Uint8Array(Buffer.from(l.dataBase64 ?? '', 'base64')),
      });
    });
  return out;
}
