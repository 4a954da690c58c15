/**
 * The pre-check in front of secret masking: `mayHoldSecret(s)` is false only for strings that no masking
 * rule (secret-rules.ts) can change, so those strings skip every rule. It runs on every string that leaves
 * the host in `redacted` mode, which makes it the hot path of the normalizer.
 *
 * Why one regex built this way (measured on the benchmark corpus, ~49 M chars of emitted strings):
 * - Each alternative starts with one character from a small set (`-`, `I`, `_`, `J`, `G`, `~`, `:`, `=`, `b`, `B`)
 *   and checks the rest with lookbehind/lookahead, so the regex engine tests one character class per
 *   position and does real work only at those characters. That scans at ~600 M chars/s; the previous single
 *   case-insensitive regex that started with whole keywords (`password|...|token|...`) ran at ~200 M chars/s,
 *   and one `includes` per literal (eleven scans of each string) was slower still.
 * - Case-sensitive where the rule is (`sk-`, `AKIA`, ...); case-insensitive letters are spelled out as
 *   classes (`[tT][oO]...`) where the rule is, so `i` does not widen the literal alternatives.
 * - Assignment keywords are common in code (`output_tokens`, `tokenizer`) but a masked assignment always has
 *   `:` or `=` after the keyword: the alternative starts at the separator and looks back for a keyword.
 * - Random-looking tokens (random-token.ts) have no fixed text; they are anchored at a digit next to an upper
 *   case letter in a second, smaller regex (DIGIT_BY_UPPER), which costs about as much as the first.
 *
 * Soundness: each rule's regex needs the text its alternative here looks for (table below), so a string
 * without any of them is left unchanged by every rule. Rules run one after another, each on the previous
 * one's output; if none matches the input, none changes it and later rules see the same input.
 * secret-gate.test.ts checks this on generated strings full of near-miss fragments.
 */

import { hasCandidateRun, MIN_RANDOM_TOKEN } from './random-token.js';
import { BASIC_CREDENTIAL, PASSWORD_FLAG_COMMAND } from './service-tokens.js';

const ASSIGNMENT_KEYS =
  'password|passwd|passphrase|secret|token|api[_-]?key|apikey|access[_-]?key|secret[_-]?key(?:[_-]?base)?|private[_-]?key|auth[_-]?key|account[_-]?key|client[_-]?secret|credentials?';
/** Key words that are also parts of ordinary words (`bypass`): the rule wants no letter before them. */
const SHORT_ASSIGNMENT_KEYS = 'pass|pwd';
/** A key word that names a credential, as the assignment rule and the shaper's key check read it. */
export const CREDENTIAL_KEY = `${ASSIGNMENT_KEYS}|(?<![A-Za-z])(?:${SHORT_ASSIGNMENT_KEYS})`;

/** `token` -> `[tT][oO][kK][eE][nN]`: ASCII case-insensitive, like the rules' `i` flag (without `u`, `i` folds only ASCII letters onto ASCII letters). */
const anyCase = (pattern: string): string => pattern.replace(/[a-z]/g, (c) => `[${c}${c.toUpperCase()}]`);

/**
 * A keyword, then only quotes, backslashes and white space (any: the Azure rule takes `AccountKey\n=`), then
 * `:` or `=`: looser than the assignment, AWS secret and Azure rules (they allow one quote and one backslash
 * there, or `\s*`, and need a value after). AWS key names (`aws_secret_access_key`, `SecretAccessKey`) end in
 * `access_key`/`secret_key`, both keywords.
 */
const ASSIGNMENT = String.raw`[:=](?<=(?:${anyCase(`${ASSIGNMENT_KEYS}|${SHORT_ASSIGNMENT_KEYS}|sig`)})[\\"'\s]*[:=])`;

/**
 * Rule (secret-rules.ts, service-tokens.ts) -> the text its regex cannot match without. One alternative per
 * first character: the engine then tries one alternative at each stop.
 */
const TRIGGERS = [
  String.raw`-(?:` +
    // anthropic_key `sk-ant-`, openai_key `\bsk-`, slack_token `xoxb-`..., pypi_token, age_secret_key, gitlab_token
    String.raw`(?<=sk-|xox[abprs]-|pypi-|AGE-SECRET-KEY-|gl[a-z]{2,5}-)` +
    String.raw`|(?=----BEGIN)` + // private_key `-----BEGIN ... PRIVATE KEY-----` (PGP blocks too)
    // cli_credentials `\s-u user:`, `\s--user user:`, `\s--proxy-user user:`; cli_password `\s--password`;
    // `\s-p` after a mysql or docker login command (the look back to the command runs only at a ` -p`).
    String.raw`|(?<=\s-)(?:(?=(?:u|-user|-proxy-user)(?:[ \t]+|=)?['"]?[^\s:'"]+:|-?pass)` +
    String.raw`|(?=p)(?<=${PASSWORD_FLAG_COMMAND}[^\n|;&]*?\s-)))`,
  String.raw`I(?<=A[KS]?I)(?=A|za)`, // aws_access_key_id `AKIA` / `ASIA`, google_api_key `AIza`
  // github_token `ghp_`..., `github_pat_`; npm_token, huggingface_token, shopify_token, digitalocean_token, stripe_key
  String.raw`_(?<=gh[pousr]_|_pat_|npm_|hf_|shp[a-z]{2}_|_v1_|[sr]k_(?:live|test|prod)_)`,
  String.raw`J(?<=eyJ)`, // jwt `eyJ`
  String.raw`G(?<=SG)(?=\.)`, // sendgrid_key `SG.`
  String.raw`~(?<=Q~)`, // azure_ad_client_secret
  `[bB](?=${anyCase('earer')}|${anyCase('asic')}[ \t]+${BASIC_CREDENTIAL})`, // bearer, basic_auth (case-insensitive)
  ASSIGNMENT, // assignment, aws_secret_key, azure_storage_key (`AccountKey=`), azure_sas_signature (`sig=`)
  // url_credentials `scheme://user:pass@`, slack_webhook `https://hooks.slack.com/`. Captured, because most
  // `://` are plain links and mayHoldSecret looks for the rest before it believes this one. At one
  // position the alternatives are tried in order, so when this one matches no other matches there, and
  // skipping past it loses nothing (`password://` is an assignment).
  String.raw`(:)(?=\/\/)`,
];

const ANY_TRIGGER = new RegExp(TRIGGERS.join('|'), 'g');
const SLACK_HOST = 'hooks.slack.com';

/**
 * random_token: a random-looking run has a digit next to an upper case letter (random-token.ts). A pass of
 * its own, with digits as its only first characters, after the other triggers found nothing: in the
 * alternation above, digits would make the engine stop at every one of them for every alternative.
 */
const DIGIT_BY_UPPER = /[0-9](?:[A-Z]|(?<=[A-Z][0-9]))/g;

/** No rule matches fewer characters than ` -ua:b` (cli_credentials); `a://b:c@` (url_credentials) needs eight. */
const SHORTEST_SECRET = 6;

export function mayHoldSecret(s: string): boolean {
  if (s.length < SHORTEST_SECRET) return false;
  ANY_TRIGGER.lastIndex = 0;
  for (let m = ANY_TRIGGER.exec(s); m !== null; m = ANY_TRIGGER.exec(s)) {
    if (m[1] === undefined) return true;
    // A `://`: url_credentials needs an `@` after it, slack_webhook the Slack host right after it.
    if (s.includes('@', m.index) || s.startsWith(SLACK_HOST, m.index + 3)) return true;
  }
  if (s.length < MIN_RANDOM_TOKEN) return false;
  DIGIT_BY_UPPER.lastIndex = 0;
  for (let m = DIGIT_BY_UPPER.exec(s); m !== null; m = DIGIT_BY_UPPER.exec(s)) {
    const run = hasCandidateRun(s, m.index);
    if (run.candidate) return true;
    // Every later digit of this run belongs to the same run, with the same answer.
    if (run.end > DIGIT_BY_UPPER.lastIndex) DIGIT_BY_UPPER.lastIndex = run.end;
  }
  return false;
}

/** The assignment alternative alone: the assignment rule's own pre-check. */
export const ASSIGNMENT_TRIGGER = new RegExp(ASSIGNMENT);
