/**
 * The secret shapes that `redacted` mode masks, applied one after another (each rule sees the previous
 * rule's output). Each rule has a cheap pre-check that must pass before its regex runs; secret-gate.ts
 * decides whether a string needs any of them at all.
 *
 * Over-masking is preferred to leaking: an assignment such as `token: string` in source code is masked too.
 */
import { ASSIGNMENT_TRIGGER, CREDENTIAL_KEY } from './secret-gate.js';
import { maskRandomTokens } from './random-token.js';
import { has, redactionMark as mark, type SecretRule as Rule } from './secret-rule.js';
import { SERVICE_TOKENS } from './service-tokens.js';

/**
 * Values that name a secret instead of being one: references to the environment, type names, placeholders,
 * and code (a call such as `document.querySelector(` or `get_token()`).
 */
export const NOT_A_SECRET =
  /^(?:true|false|null|none|undefined|string|number|boolean|any|unknown|str|int|bytes|[A-Za-z_$][\w$.]*\(.*|\$\{?[A-Za-z_][A-Za-z0-9_]*\}?|process\.env\.[A-Za-z0-9_.]*|os\.environ.*|env\(.*|\[REDACTED:.*|\*+|x+|\.\.\.|…)$/i;

/**
 * `"…"`, `\"…\"` or `\\\"…\\\"` (inside JSON-encoded strings, once or twice) or `'…'`: a quoted value may hold
 * spaces and `;`.
 */
const QUOTED = String.raw`\\*"((?:[^"\\\n]|\\+[^"\\\n]){1,256}?)\\*"|'([^'\n]{1,256})'`;

const RULES: Rule[] = [
  {
    kind: 'private_key',
    pre: has('PRIVATE KEY'),
    // A block cut by truncation has no END line: mask to the end of the string.
    // PGP blocks end in `KEY BLOCK-----`.
    re: /-----BEGIN[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----|$)/g,
  },
  ...SERVICE_TOKENS,
  { kind: 'anthropic_key', pre: has('sk-ant-'), re: /sk-ant-[A-Za-z0-9_-]{8,}/g },
  { kind: 'openai_key', pre: has('sk-'), re: /\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}/g },
  {
    kind: 'aws_access_key_id',
    pre: (s) => s.includes('AKIA') || s.includes('ASIA'),
    re: /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g,
  },
  {
    kind: 'github_token',
    pre: (s) => s.includes('gh') || s.includes('github_pat_'),
    re: /\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})/g,
  },
  {
    kind: 'slack_webhook',
    pre: has('hooks.slack.com'),
    re: /https?:\/\/hooks\.slack\.com\/(?:services|workflows|triggers)\/[A-Za-z0-9_/-]+/g,
  },
  { kind: 'slack_token', pre: has('xox'), re: /\bxox[abprs]-[A-Za-z0-9-]{10,}/g },
  { kind: 'jwt', pre: has('eyJ'), re: /\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}/g },
  {
    kind: 'bearer',
    pre: (s) => /earer/i.test(s), // any case, like the gate: `bEaReR` is still a bearer token
    re: /\b(bearer)(\s+)[A-Za-z0-9._~+/-]{8,}=*/gi,
    replace: (_m, word = '', space = '') => `${word}${space}${mark('bearer')}`,
  },
  {
    kind: 'url_credentials',
    pre: (s) => s.includes('://') && s.includes('@'),
    // `[` excluded: an already masked token (https://[REDACTED:github_token]@host) is not a user:password pair.
    // The user may be empty (`redis://:pw@host`).
    re: /\b([a-z][a-z0-9+.-]*:\/\/)[^\s:/@'"[]*:[^\s/@'"]+@/gi,
    replace: (_m, scheme = '') => `${scheme}${mark('url_credentials')}@`,
  },
  {
    kind: 'assignment',
    pre: (s) => ASSIGNMENT_TRIGGER.test(s),
    // key (any prefix: GITHUB_TOKEN, db_password), optional closing quote, `:` or `=`, then a quoted value
    // (spaces and `;` included) or a bare one.
    re: new RegExp(
      `(${CREDENTIAL_KEY})(?![A-Za-z0-9])(\\\\*["']?[ \\t]*[:=][ \\t]*)(?:${QUOTED}|\\\\*["']?([^\\s"'\\\\,;&<>]{3,}))`,
      'gi',
    ),
    replace: (m, key = '', _sep, dq?: string, sq?: string, bare?: string) => {
      const value = dq ?? sq ?? bare ?? '';
      // `api_key: api_key` passes a variable on.
      if (value.length < 3 || NOT_A_SECRET.test(value) || value.toLowerCase() === key.toLowerCase()) return m;
      const kind = /secret[_-]?access[_-]?key|aws[_-]?secret/i.test(key) ? 'aws_secret_key' : 'assignment';
      // The value is the match's last text but a closing quote.
      const at = m.lastIndexOf(value);
      return `${m.slice(0, at)}${mark(kind)}${m.slice(at + value.length)}`;
    },
  },
];

/** AWS secret keys are assigned under names that do not end in one of ASSIGNMENT_KEYS' words (aws_secret_access_key does). */
const AWS_SECRET: Rule = {
  kind: 'aws_secret_key',
  pre: (s) => /secret/i.test(s),
  re: /(aws_?secret(?:_?access)?_?key|SecretAccessKey)(\\?["']?[ \t]*[:=][ \t]*\\?["']?)([A-Za-z0-9/+=]{40})/gi,
  replace: (_m, key = '', sep = '') => `${key}${sep}${mark('aws_secret_key')}`,
};
RULES.splice(RULES.length - 1, 0, AWS_SECRET);

const HAS_DIGIT = /[0-9]/;
const RANDOM_TOKEN = mark('random_token');

/** Applies every rule in order, then the entropy rule (random-token.ts). */
export function applySecretRules(text: string): string {
  let out = text;
  for (const rule of RULES) {
    if (!rule.pre(out)) continue;
    rule.re.lastIndex = 0;
    if (rule.replace) {
      const fn = rule.replace;
      out = out.replace(rule.re, (m: string, ...groups: unknown[]) => fn(m, ...(groups as (string | undefined)[])));
    } else {
      out = out.replace(rule.re, mark(rule.kind));
    }
  }
  // Last, so that a value a named rule masked is not reported as a random token. Runs need a digit.
  return HAS_DIGIT.test(out) ? maskRandomTokens(out, RANDOM_TOKEN) : out;
}
