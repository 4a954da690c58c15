/** What the normalizer needs to know about the file and the line it is looking at. */
import type { CctapEvent, MalformedReason, PrivacyMode } from '@cctap/events';

export interface FileContext {
  /** Already a sanitized host token. */
  host: string;
  user: string;
  /** Absolute path of the transcript file. */
  path: string;
  /** From fileId() in @cctap/events. */
  fileId: string;
  privacy: PrivacyMode;
  /** Per-string cap in UTF-16 code units; default DEFAULT_STRING_CAP from @cctap/events. */
  stringCap?: number;
  labels?: Record<string, string>;
  /** A subagent file's nesting depth, read by the collector from its `agent-<id>.meta.json`. */
  spawnDepth?: number;
}

export interface LineContext extends FileContext {
  /** Byte offset of the line's first byte. */
  offset: number;
  /** ISO timestamp for lines that carry none. */
  fallbackTs: string;
  fallbackTsSource: 'carried' | 'file';
}

export type NormalizeResult =
  | { events: CctapEvent[]; lineTs: string | null; warnings: string[]; /** normalize/line-key.ts */ lineKey: string }
  | { failure: MalformedReason; detail: string };

/** Warnings a line can produce without failing. */
export const WARNINGS = {
  invalidUtf8: 'invalid_utf8',
  shrunk: 'shrunk_to_fit',
} as const;
