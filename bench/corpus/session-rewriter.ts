import type { Prng } from './prng.js';
import type { SessionTemplate } from './templates.js';

/**
 * Rewrites the raw lines of one template into one generated session: every id, timestamp and the
 * working directory, by text substitution on the raw bytes rather than parse + stringify, so the line
 * structure and byte shape real releases wrote survive untouched.
 *
 * One map per generated session, shared by the main file and its subagent files: the progress lines of
 * the main file embed exact copies of subagent lines, and they stay exact copies after the rewrite.
 * Ids are drawn from the seeded PRNG on first sight and checked against every id issued so far, so two
 * generated sessions never share an id (resume copies share on purpose; they copy rewritten lines).
 */

const TS = String.raw`\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z`;
const UUID = String.raw`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`;
// API ids as the API issues them; shorter look-alikes in tool output (e.g. `toolu_1` in test code) stay.
const API_ID = String.raw`(?:msg|toolu)_01[A-Za-z0-9]{20,}|req_[A-Za-z0-9]{20,}`;
const REQUEST_ID_FIELD = /,"requestId":"req_[A-Za-z0-9]+"/g;

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');

const patternCache = new WeakMap<SessionTemplate, RegExp>();
function patternFor(t: SessionTemplate): RegExp {
  let re = patternCache.get(t);
  if (!re) {
    const agents =
      t.agentIds.length > 0 ? `|(?<![A-Za-z0-9])(${t.agentIds.map(escapeRe).join('|')})(?![A-Za-z0-9])` : '|(\\b\\B)'; // keeps the group numbering; never matches
    re = new RegExp(`(${TS})|(${UUID})|(${API_ID})${agents}|(${escapeRe(t.baseCwd)})`, 'g');
    patternCache.set(t, re);
  }
  return re;
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const HEX = '0123456789abcdef';

export interface RewriteOptions {
  readonly template: SessionTemplate;
  /** The generated session's id (the template's sessionId maps to it). */
  readonly sessionId: string;
  /** The generated session's working directory (replaces the template's base cwd, keeping sub-paths). */
  readonly cwd: string;
  /** Added to every timestamp; one delta per session keeps the relative order of its lines. */
  readonly shiftMs: number;
  readonly prng: Prng;
  /** Every id issued in the corpus so far; shared across sessions to rule out collisions. */
  readonly issued: Set<string>;
  /** Strip requestId (what some gateways write); usage then falls back to message.id within the session. */
  readonly dropRequestId?: boolean;
}

export function randomUuid(prng: Prng): string {
  let hex = '';
  for (let i = 0; i < 32; i++) hex += HEX[prng.int(16)];
  const variant = HEX[8 + prng.int(4)];
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export class SessionRewriter {
  readonly #o: RewriteOptions;
  readonly #map = new Map<string, string>();
  readonly #re: RegExp;

  constructor(options: RewriteOptions) {
    this.#o = options;
    this.#re = patternFor(options.template);
    this.#map.set(options.template.sessionId, options.sessionId);
    options.issued.add(options.sessionId);
  }

  /** The new id for an id of the template (agent ids, session id, ...), issuing one if not seen yet. */
  id(original: string): string {
    let mapped = this.#map.get(original);
    if (mapped === undefined) {
      do mapped = this.#fresh(original);
      while (this.#o.issued.has(mapped));
      this.#o.issued.add(mapped);
      this.#map.set(original, mapped);
    }
    return mapped;
  }

  rewrite(line: string): string {
    const src = this.#o.dropRequestId ? line.replace(REQUEST_ID_FIELD, '') : line;
    return src.replace(this.#re, (match, ts?: string, uuid?: string, apiId?: string, agent?: string) => {
      if (ts !== undefined) return new Date(Date.parse(ts) + this.#o.shiftMs).toISOString();
      if (uuid !== undefined || apiId !== undefined || agent !== undefined) return this.id(match);
      return this.#o.cwd;
    });
  }

  #fresh(original: string): string {
    const { prng } = this.#o;
    if (/^[0-9a-f]{8}-/.test(original)) return randomUuid(prng);
    const api = /^(msg_01|toolu_01|req_011C|req_)/.exec(original);
    if (api) {
      let out = api[1] as string;
      while (out.length < original.length) out += BASE62[prng.int(62)];
      return out;
    }
    // agent ids: `a2898e3`, `af1ff21`, `acompact-e1f845` -> same prefix letter(s), new hex tail
    const keep = /^(?:.*-)?./.exec(original)?.[0] ?? '';
    let out = keep;
    while (out.length < original.length) out += HEX[prng.int(16)];
    return out;
  }
}
