/**
 * Secret masking and privacy modes (DESIGN section 4). Runs on every string that leaves the host, so the
 * rules (secret-rules.ts) sit behind one cheap pre-check (secret-gate.ts) that most strings fail.
 *
 * Modes: `metadata` keeps no free text at all (redact returns null), `redacted` (default) keeps text with
 * secrets replaced by `[REDACTED:<kind>]`, `full` keeps text as written.
 */
import type { PrivacyMode } from '@cctap/events';
import { mayHoldSecret } from './secret-gate.js';
import { applySecretRules } from './secret-rules.js';

/** Masks every known secret shape in `text`. */
export function maskSecrets(text: string): string {
  return mayHoldSecret(text) ? applySecretRules(text) : text;
}

/** Applies a privacy mode to one piece of free text: null in `metadata`, masked in `redacted`, as-is in `full`. */
export function redact(text: string, mode: PrivacyMode): string | null {
  if (mode === 'metadata') return null;
  if (mode === 'full') return text;
  return maskSecrets(text);
}
