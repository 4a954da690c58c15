/**
 * The entropy rule: a long run of token characters that looks random (upper and lower case letters well
 * mixed with digits, high Shannon entropy) is treated as a credential of a format no named rule knows.
 *
 * Kept narrow so ordinary code and logs pass: git SHAs and other hex digests and UUIDs have no upper case
 * letters; camelCase identifiers have few upper case letters and lower entropy; base64 images are
 * recognised by their data-URI prefix or their file magic; package integrity hashes by their `shaNNN-`
 * prefix. `.` and `=` end a run, so dotted names and `KEY=value` split into parts; a run that starts with
 * `/` is a path and each of its segments is judged alone (a token can be a directory name).
 */

/** A run shorter than this is never a random token (the shortest tokens of common services are 24+). */
export const MIN_RANDOM_TOKEN = 24;

/** Characters of a run (base64 and base64url without padding; no `.` or `=`: see above). */
const TOKEN_RUN = new RegExp(`[A-Za-z0-9+/_-]{${MIN_RANDOM_TOKEN},}`, 'g');

/** base64 of PNG, JPEG, GIF, WebP and PDF files, and data URIs: content, not credentials. */
const ENCODED_FILE = /^(?:iVBORw0KGgo|R0lGOD|UklGR|JVBERi0)/;
const INTEGRITY = /^sha(?:1|224|256|384|512)-/;
const MIN_ENTROPY = 3.8;
const DIGIT_NEXT_TO_UPPER = /[0-9][A-Z]|[A-Z][0-9]/;

/** Bits per character of `s` (Shannon entropy of its character frequencies). */
export function shannonEntropy(s: string): number {
  const freq = new Map<number, number>();
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    freq.set(c, (freq.get(c) ?? 0) + 1);
  }
  let h = 0;
  for (const n of freq.values()) {
    const p = n / s.length;
    h -= p * Math.log2(p);
  }
  return h;
}

/**
 * Whether `run` (a whole TOKEN_RUN match) is a random-looking secret. `before` is the text just before it
 * (a data URI's `base64,` marks an encoded file).
 */
function looksRandom(run: string, before: string): boolean {
  if (run.length < MIN_RANDOM_TOKEN) return false;
  let upper = 0;
  let lower = 0;
  let digits = 0;
  for (let i = 0; i < run.length; i++) {
    const c = run.charCodeAt(i);
    if (c >= 65 && c <= 90) upper += 1;
    else if (c >= 97 && c <= 122) lower += 1;
    else if (c >= 48 && c <= 57) digits += 1;
  }
  // Random base62 has about as many upper as lower case letters; identifiers have an upper case letter
  // per word. A quarter of the letters each keeps random tokens in and camelCase out.
  const letters = upper + lower;
  if (digits === 0 || upper * 4 < letters || lower * 4 < letters) return false;
  if (ENCODED_FILE.test(run) || INTEGRITY.test(run) || before.endsWith('base64,')) return false;
  // The gate's anchor (secret-gate.ts): all but a few percent of random 24-character runs have one.
  if (!DIGIT_NEXT_TO_UPPER.test(run)) return false;
  return shannonEntropy(run) >= MIN_ENTROPY;
}

/** Whether `s` holds a run the rule could mask: what the gate needs to know, without the entropy. */
export function hasCandidateRun(s: string, from: number): { end: number; candidate: boolean } {
  let a = from;
  while (a > 0 && isRunChar(s.charCodeAt(a - 1))) a -= 1;
  let b = from;
  while (b < s.length && isRunChar(s.charCodeAt(b))) b += 1;
  if (b - a < MIN_RANDOM_TOKEN) return { end: b, candidate: false };
  let upper = false;
  let lower = false;
  for (let i = a; i < b && !(upper && lower); i++) {
    const c = s.charCodeAt(i);
    if (c >= 65 && c <= 90) upper = true;
    else if (c >= 97 && c <= 122) lower = true;
  }
  return { end: b, candidate: upper && lower };
}

function isRunChar(c: number): boolean {
  return (
    (c >= 48 && c <= 57) ||
    (c >= 65 && c <= 90) ||
    (c >= 97 && c <= 122) ||
    c === 43 ||
    c === 47 ||
    c === 95 ||
    c === 45
  );
}

/** `text` with every random-looking run (or path segment) replaced by `marker`. */
export function maskRandomTokens(text: string, marker: string): string {
  TOKEN_RUN.lastIndex = 0;
  return text.replace(TOKEN_RUN, (run: string, offset: number) => {
    if (run.charCodeAt(0) !== 47) return looksRandom(run, text.slice(Math.max(0, offset - 8), offset)) ? marker : run;
    let changed = false;
    const parts = run.split('/').map((seg) => {
      if (!looksRandom(seg, '')) return seg;
      changed = true;
      return marker;
    });
    return changed ? parts.join('/') : run;
  });
}
