/**
 * Secret masking and privacy modes (DESIGN section 4). Runs on every string that leaves the host, so each
 * pattern sits behind a cheap substring pre-check and most strings cost a handful of `indexOf` calls.
 *
 * Modes: `metadata` keeps no free text at all (redact returns null), `redacted` (default) keeps text with
 * secrets replaced by `[REDACTED:<kind>]`, `full` keeps text as written.
 *
 * Over-masking is preferred to leaking: an assignment such as `token: string` in source code is masked too.
 */
import type { PrivacyMode } from '@cctap/events';

export const REDACTION_PREFIX = '[REDACTED:';
const mark = (kind: string) => `${REDACTION_PREFIX}${kind}]`;

interface Rule {
  kind: string;
  /** Cheap test that must pass before the regex runs. */
  pre: (s: string) => boolean;
  re: RegExp;
  /** Replacement; receives the regex groups. Default: the whole match becomes the marker. */
  replace?: (match: string, ...groups: string[]) => string;
}

const has = (needle: string) => (s: string) => s.includes(needle);

/** Values that name a secret instead of being one (references to the environment, type names, placeholders). */
const NOT_A_SECRET = /^(?:true|false|null|none|undefined|string|number|boolean|any|unknown|str|int|bytes|\$\{?[A-Za-z_][A-Za-z0-9_]*\}?|process\.env\.[A-Za-z0-9_.]*|os\.environ.*|env\(.*|\[REDACTED:.*|\*+|x+|\.\.\.|…)$/i;

const ASSIGNMENT_KEYS =
  'password|passwd|passphrase|secret|token|api[_-]?key|apikey|access[_-]?key|secret[_-]?key|private[_-]?key|auth[_-]?key|client[_-]?secret|credentials?';

const RULES: Rule[] = [
  {
    kind: 'private_key',
    pre: has('PRIVATE KEY'),
    // A block cut by truncation has no END line: mask to the end of the string.
    re: /-----BEGIN[ A-Z0-9]*PRIVATE KEY-----[\s\S]*?(?:-----END[ A-Z0-9]*PRIVATE KEY-----|$)/g,
  },
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
  { kind: 'slack_webhook', pre: has('hooks.slack.com'), re: /https?:\/\/hooks\.slack\.com\/(?:services|workflows|triggers)\/[A-Za-z0-9_/-]+/g },
  { kind: 'slack_token', pre: has('xox'), re: /\bxox[abprs]-[A-Za-z0-9-]{10,}/g },
  { kind: 'jwt', pre: has('eyJ'), re: /\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}/g },
  {
    kind: 'bearer',
    pre: (s) => s.includes('earer') || s.includes('EARER'),
    re: /\b(bearer)(\s+)[A-Za-z0-9._~+/-]{8,}=*/gi,
    replace: (_m, word, space) => `${word}${space}${mark('bearer')}`,
  },
  {
    kind: 'url_credentials',
    pre: (s) => s.includes('://') && s.includes('@'),
    // `[` excluded: an already masked token (https://[REDACTED:github_token]@host) is not a user:password pair.
    re: /\b([a-z][a-z0-9+.-]*:\/\/)[^\s:/@'"[]+:[^\s/@'"]+@/gi,
    replace: (_m, scheme) => `${scheme}${mark('url_credentials')}@`,
  },
  {
    kind: 'assignment',
    pre: (s) => s.includes('=') || s.includes(':'),
    // key (any prefix: GITHUB_TOKEN, db_password), optional closing quote, `:` or `=`, optional opening quote, value.
    re: new RegExp(`(${ASSIGNMENT_KEYS})(?![A-Za-z0-9])(\\\\?["']?[ \\t]*[:=][ \\t]*\\\\?["']?)([^\\s"'\\\\,;&<>]{3,})`, 'gi'),
    replace: (m, key: string, sep: string, value: string) => {
      if (NOT_A_SECRET.test(value)) return m;
      const kind = /secret[_-]?access[_-]?key|aws[_-]?secret/i.test(key) ? 'aws_secret_key' : 'assignment';
      return `${key}${sep}${mark(kind)}`;
    },
  },
];

/** AWS secret keys are assigned under names that do not end in one of ASSIGNMENT_KEYS' words (aws_secret_access_key does). */
const AWS_SECRET: Rule = {
  kind: 'aws_secret_key',
  pre: (s) => /secret/i.test(s),
  re: /(aws_?secret(?:_?access)?_?key|SecretAccessKey)(\\?["']?[ \t]*[:=][ \t]*\\?["']?)([A-Za-z0-9/+=]{40})/gi,
  replace: (_m, key, sep) => `${key}${sep}${mark('aws_secret_key')}`,
};
RULES.splice(RULES.length - 1, 0, AWS_SECRET);

/**
 * One scan that every secret shape needs to pass: a string without any of these substrings cannot hold a
 * secret we mask, and most strings have none, so they cost this single regex scan.
 */
const ANY_TRIGGER = new RegExp(
  // Keywords only count when an assignment follows (`input_tokens` in every usage object must not trigger).
  // Each alternative is looser than its rule (any run of quotes, backslashes and blanks before the `:`): a string that
  // fails this test holds nothing any rule would change.
  `PRIVATE KEY|sk-|AKIA|ASIA|gh[pousr]_|github_pat_|hooks\\.slack\\.com|xox[abprs]-|eyJ|bearer|://|(?:${ASSIGNMENT_KEYS})(?![A-Za-z0-9])[\\\\"' \\t]*[:=]`,
  'i',
);

/** Masks every known secret shape in `text`. */
export function maskSecrets(text: string): string {
  if (!ANY_TRIGGER.test(text)) return text;
  let out = text;
  for (const rule of RULES) {
    if (!rule.pre(out)) continue;
    rule.re.lastIndex = 0;
    if (rule.replace) {
      const fn = rule.replace;
      out = out.replace(rule.re, (m: string, ...groups: unknown[]) => fn(m, ...(groups as string[])));
    } else {
      const marker = mark(rule.kind);
      out = out.replace(rule.re, marker);
    }
  }
  return out;
}

/** Applies a privacy mode to one piece of free text: null in `metadata`, masked in `redacted`, as-is in `full`. */
export function redact(text: string, mode: PrivacyMode): string | null {
  if (mode === 'metadata') return null;
  if (mode === 'full') return text;
  return maskSecrets(text);
}
