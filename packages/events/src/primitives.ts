import { z } from 'zod';
import { MAX_ID_CHARS, MAX_PATH_CHARS, MAX_TEXT_CHARS } from './limits.js';

/** Free text that passed through redaction and truncation; `null` when the privacy mode keeps no text. */
export const text = z.string().max(MAX_TEXT_CHARS).nullable();
export const id = z.string().max(MAX_ID_CHARS);
export const path = z.string().max(MAX_PATH_CHARS);
export const count = z.number().int().nonnegative();
export const nonNegative = z.number().nonnegative();
/** ISO-8601 UTC timestamp with optional fraction, e.g. 2026-02-12T16:02:27.718Z. */
export const isoTs = z.iso.datetime({ offset: false });
/** Event ids are 128-bit hashes printed as UUIDs (see ids.ts), so ClickHouse can store them as UUID. */
export const eventId = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
/** A subject token: lowercase letters, digits, `_` and `-` (see subjects.ts). */
export const hostToken = z.string().regex(/^[a-z0-9_-]{1,64}$/);
