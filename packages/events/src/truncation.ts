/**
 * How a cut text is marked, everywhere a string is shortened (the normalizer's privacy shaper, the validator's
 * copy of an invalid input, the sink's row caps, alert messages): the kept head, then
 * `…[truncated <original length> chars]`, so a reader sees that and how much was cut.
 */
import { TRUNCATION_MARKER } from './limits.js';

/** The marker appended to a cut string; `originalLength` in UTF-16 units. */
export function truncationMarker(originalLength: number): string {
  return `${TRUNCATION_MARKER} ${originalLength} chars]`;
}

/** The first `cap` UTF-16 units of `s`, one fewer when the cut would split a surrogate pair. */
export function headOf(s: string, cap: number): string {
  if (s.length <= cap) return s;
  const c = s.charCodeAt(cap - 1);
  return s.slice(0, c >= 0xd800 && c <= 0xdbff ? cap - 1 : cap);
}

/** `s` unchanged when it fits in `max` UTF-16 units, else its head with the marker (which comes on top of `max`). */
export function capText(s: string, max: number): string {
  return s.length <= max ? s : headOf(s, max) + truncationMarker(s.length);
}
