/** Tolerant readers for parsed JSON of unknown shape: they return null instead of throwing or guessing. */
import { MAX_ID_CHARS, MAX_PATH_CHARS, MAX_UUID_LIST } from '@cctap/events';

export type Json = Record<string, unknown>;

export function obj(v: unknown): Json | null {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : null;
}

export function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

/** A short identifier clipped to the contract's id length. */
export function idStr(v: unknown): string | null {
  if (typeof v !== 'string') return null;
  return v.length > MAX_ID_CHARS ? v.slice(0, MAX_ID_CHARS) : v;
}

/** Line uuids listed by a retraction (`retractedMessageUuids`, `supersedesUuids`); [] when absent. */
export function uuidList(v: unknown): string[] {
  if (!Array.isArray(v)) return [];
  const out: string[] = [];
  for (const x of v) {
    if (out.length >= MAX_UUID_LIST) break;
    const u = idStr(x);
    if (u !== null) out.push(u);
  }
  return out;
}

export function pathStr(v: unknown): string | null {
  if (typeof v !== 'string') return null;
  return v.length > MAX_PATH_CHARS ? v.slice(0, MAX_PATH_CHARS) : v;
}

/** A finite number >= 0, else null. */
export function nonNeg(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : null;
}

/** A token count: a non-negative safe integer; anything else counts as 0 (a corrupt count must not poison sums). */
export function count(v: unknown): number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : 0;
}

export function countOrNull(v: unknown): number | null {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : null;
}

export function intOrNull(v: unknown): number | null {
  return typeof v === 'number' && Number.isSafeInteger(v) ? v : null;
}
