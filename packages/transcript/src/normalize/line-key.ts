/**
 * What a transcript line is, independent of where it sits in which file: the key its event ids are made
 * from (lineEventId in @cctap/events) and the collector's delivered-line records.
 *
 *   `u:<uuid>`     the line's own `uuid`: Claude Code keeps it through tombstone removal, compaction and `/cd`
 *   `c:<32 hex>`   sha256 of the line's bytes (first 128 bits), for lines without a uuid: metadata lines
 *                  (`last-prompt`, `mode`, `ai-title`, file-history snapshots, …) and lines that are not JSON.
 *                  Claude Code writes the same metadata line again after compaction and every ~32 KiB; the
 *                  copies are the same line and get the same key.
 *
 * A uuid-keyed line whose bytes differ between two reads is still the same line (the last read wins in the
 * store's ReplacingMergeTree). Content keys use the raw bytes, so a BOM or trailing `\r` is part of them.
 */
import { hash } from 'node:crypto';
import { idStr } from './json-read.js';

export function lineKeyOf(uuid: unknown, bytes: Uint8Array): string {
  const u = idStr(uuid);
  if (u) return `u:${u}`; // an empty uuid names nothing
  return `c:${hash('sha256', bytes, 'hex').slice(0, 32)}`;
}
