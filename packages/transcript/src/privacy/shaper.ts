/**
 * Turns transcript strings and values into what may leave the host: privacy mode applied, secrets masked,
 * long strings cut at the cap with TRUNCATION_MARKER and the original length.
 *
 * Strings are cut to cap + REDACT_WINDOW before masking (masking cost is bounded per string), then to the cap
 * after masking, so a secret that straddles the cap is masked before the cut and never leaves half-visible.
 */
import { headOf, MAX_TEXT_CHARS, truncationMarker, type PrivacyMode } from '@cctap/events';
import { maskSecrets } from './redact.js';
import { NOT_A_SECRET } from './secret-rules.js';
import { CREDENTIAL_KEY } from './secret-gate.js';
import { redactionMark } from './secret-rule.js';

const REDACT_WINDOW = 512;
/** Room for the marker itself under MAX_TEXT_CHARS. */
const MARKER_ROOM = 64;
/** Nesting deeper than this in a tool input is replaced by a marker (inputs are model-written JSON, rarely deep). */
const MAX_DEPTH = 24;

/** A key that names a credential (`password`, `DB_PASS`, `apiKey`, `client_secret`): its string value is one. */
const SECRET_KEY_NAME = new RegExp(`(?:${CREDENTIAL_KEY})$`, 'i');
const KEY_NAMED = redactionMark('key_name');
/** A name that can be kept in `metadata` mode: identifier-like and short (no path, no prose). */
const SAFE_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,47}$/;

/**
 * maskSecrets for an envelope string that repeats on every line of a session (cwd, branch): the last answer
 * is kept, so a session's lines pay for one look.
 */
class LastMasked {
  private input = '';
  private output = '';

  get(s: string): string {
    if (s !== this.input) {
      this.input = s;
      this.output = maskSecrets(s);
    }
    return this.output;
  }
}
const lastCwd = new LastMasked();
const lastBranch = new LastMasked();

export class Shaper {
  readonly cap: number;

  constructor(
    readonly mode: PrivacyMode,
    cap: number,
    /** Last resort for lines that stay too big: tool inputs become a marker. */
    readonly squash = false,
  ) {
    this.cap = Math.max(16, Math.min(Math.floor(cap), MAX_TEXT_CHARS - MARKER_ROOM));
  }

  /** Free text: null in `metadata` mode or when `v` is not a string. */
  text(v: unknown): string | null {
    if (typeof v !== 'string' || this.mode === 'metadata') return null;
    return this.shape(v);
  }

  /** Free text that is known to be a string (e.g. joined content blocks). */
  textOf(s: string): string | null {
    return this.mode === 'metadata' ? null : this.shape(s);
  }

  private shape(s: string): string {
    const cap = this.cap;
    const windowed = s.length > cap + REDACT_WINDOW;
    let t = windowed ? headOf(s, cap + REDACT_WINDOW) : s;
    if (this.mode === 'redacted') t = maskSecrets(t);
    // Cut when over the cap, or when the window already dropped the tail.
    if (t.length > cap || windowed) return headOf(t, cap) + truncationMarker(s.length);
    return t;
  }

  /**
   * A path kept in every mode (a tool's file path): secrets masked in `redacted` and `metadata` (the path
   * stays, as what the tool worked on), as written in `full`.
   */
  label(s: string): string {
    return this.mode === 'full' ? s : maskSecrets(s);
  }

  /** The line's working directory, the project's identity: like label, remembering the last one. */
  cwd(s: string): string {
    return this.mode === 'full' ? s : lastCwd.get(s);
  }

  /** The git branch: masked in `redacted`, dropped in `metadata` (a branch name is free text: a customer, a ticket). */
  branch(s: string): string {
    if (this.mode === 'metadata') return '';
    return this.mode === 'full' ? s : lastBranch.get(s);
  }

  /**
   * A name taken from the line's structure (an unknown line's type or key): masked in `redacted`; in
   * `metadata` kept only when identifier-like and free of secrets, else `[REDACTED:<what>]`.
   */
  name(s: string, what: string): string {
    if (this.mode === 'full') return s;
    const masked = maskSecrets(s);
    if (this.mode === 'redacted') return masked;
    return masked === s && SAFE_NAME.test(s) ? s : redactionMark(what);
  }

  /**
   * A structured value (tool input): every string inside shaped, structure and non-string values kept.
   * null in `metadata` mode. `jsonLength` is the length of the original's JSON, for the squash marker.
   */
  value(v: unknown, jsonLength: number): unknown {
    if (this.mode === 'metadata') return null;
    if (this.squash) return truncationMarker(jsonLength);
    return this.walk(v, 0);
  }

  /**
   * What the hash of a tool input is computed from: its `redacted` shaping (`shaped`, or computed here in
   * `metadata` mode), so the hash reveals nothing the masked text does not (an unsalted hash of the raw
   * input gives a masked password away to a word list); the raw input in `full` mode. Equal inputs still
   * hash equal, which is what loop detection needs.
   */
  hashable(v: unknown, jsonLength: number, shaped: unknown): unknown {
    if (this.mode === 'full') return v;
    return this.mode === 'redacted' ? shaped : new Shaper('redacted', this.cap, this.squash).value(v, jsonLength);
  }

  /**
   * Copy-on-write: a container whose strings all come back unchanged is returned as is (most tool inputs in
   * `full` mode, and in `redacted` mode unless they hold a secret or an over-long string). Sharing is safe:
   * the value comes from this line's own JSON.parse and nothing else holds or mutates it.
   */
  private walk(v: unknown, depth: number): unknown {
    if (typeof v === 'string') return this.shape(v);
    if (typeof v !== 'object' || v === null) return v;
    if (depth >= MAX_DEPTH) return truncationMarker(JSON.stringify(v).length);
    if (Array.isArray(v)) {
      let out: unknown[] | null = null;
      for (let i = 0; i < v.length; i++) {
        const x: unknown = v[i];
        const y = this.walk(x, depth + 1);
        if (out === null && y !== x) out = v.slice(0, i);
        if (out !== null) out.push(y);
      }
      return out ?? v;
    }
    const rec = v as Record<string, unknown>;
    const keys = Object.keys(rec);
    const redacting = this.mode === 'redacted';
    let copy: [string, unknown][] | null = null;
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      const x = rec[k];
      // Keys are masked like text (a token can be a key); a string under a key that names a credential is one.
      const k2 = redacting ? maskSecrets(k) : k;
      const y =
        redacting && typeof x === 'string' && SECRET_KEY_NAME.test(k) && x.length >= 3 && !NOT_A_SECRET.test(x)
          ? KEY_NAMED
          : this.walk(x, depth + 1);
      if (copy === null && (y !== x || k2 !== k)) {
        // Something changed: copy. fromEntries defines own properties, so a `__proto__` key stays data
        // instead of changing the prototype (an own `__proto__` read through rec[k] is that own value).
        copy = [];
        for (let j = 0; j < i; j++) copy.push([keys[j]!, rec[keys[j]!]]);
      }
      if (copy !== null) copy.push([k2, y]);
    }
    if (copy !== null) return Object.fromEntries(copy);
    return v;
  }
}
