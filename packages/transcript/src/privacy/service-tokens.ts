/**
 * Credentials with a recognisable shape: service token prefixes, connection-string and URL parameters, and
 * the command lines that take a password as an argument.
 *
 * The token shapes follow gitleaks' default rule set (github.com/gitleaks/gitleaks, config/gitleaks.toml,
 * MIT licence), the reference for what a leaked credential looks like; they are written here as a curated
 * subset of the services people paste most, with the lengths loosened where a prefix alone is distinctive
 * enough (over-masking is preferred to leaking). Every rule's text trigger is in secret-gate.ts.
 */
import { has, redactionMark as mark, type SecretRule } from './secret-rule.js';

/** A printable `user:password` pair: what a Basic credential decodes to (base64 of prose does not). */
function isUserPass(b64: string): boolean {
  const decoded = Buffer.from(b64, 'base64').toString('latin1');
  return decoded.includes(':') && /^[\x20-\x7e]+$/.test(decoded);
}

/**
 * base64 of at least 6 printable ASCII bytes: every 4-character group starts with one of `I`-`Z`, `a`-`f`
 * (the top 6 bits of a byte 0x20-0x7e). Prose after `Basic ` ("basic features") almost never is.
 */
export const BASIC_CREDENTIAL = String.raw`(?:[I-Za-f][A-Za-z0-9+/]{3}){2,}(?:[I-Za-f][A-Za-z0-9+/]{2}=|[I-Za-f][A-Za-z0-9+/]==)?(?![A-Za-z0-9+/=])`;

// Commands whose `-p` takes the password: `mysql -pPW`, and `docker login -p PW` (registry clients).
const MYSQL_COMMAND = String.raw`\b(?:mysql|mysqldump|mysqladmin|mariadb|mariadb-dump)\b`;
const REGISTRY_LOGIN = String.raw`\b(?:docker|podman|nerdctl|helm)\s+(?:registry\s+)?login\b`;
/**
 * What the gate looks back for from a ` -p`: exactly the two rules' command prefixes, so the gate cannot
 * miss what they mask (`docker\nlogin -p PW` included).
 */
export const PASSWORD_FLAG_COMMAND = `(?:${MYSQL_COMMAND}|${REGISTRY_LOGIN})`;

export const SERVICE_TOKENS: SecretRule[] = [
  // Stripe secret and restricted keys (gitleaks stripe-access-token).
  { kind: 'stripe_key', pre: has('k_'), re: /\b[sr]k_(?:live|test|prod)_[A-Za-z0-9]{10,}/g },
  // Google API keys (gcp-api-key).
  { kind: 'google_api_key', pre: has('AIza'), re: /\bAIza[A-Za-z0-9_-]{30,}/g },
  // GitLab personal, deploy, runner, pipeline-trigger... tokens (gitlab-pat, gitlab-*).
  {
    kind: 'gitlab_token',
    pre: has('gl'),
    re: /\bgl(?:pat|dt|rt|ptt|ft|imt|agent|oas|cbt|soat|ffct)-[A-Za-z0-9_-]{20,}/g,
  },
  // npm access tokens (npm-access-token), PyPI upload tokens (pypi-upload-token).
  { kind: 'npm_token', pre: has('npm_'), re: /\bnpm_[A-Za-z0-9]{36}/g },
  { kind: 'pypi_token', pre: has('pypi-'), re: /\bpypi-AgE[A-Za-z0-9_-]{50,}/g },
  // Hugging Face (huggingface-access-token), SendGrid (sendgrid-api-token), Shopify (shopify-*),
  // DigitalOcean (digitalocean-*), age secret keys (age-secret-key), Azure AD client secrets.
  { kind: 'huggingface_token', pre: has('hf_'), re: /\bhf_[A-Za-z]{30,}/g },
  { kind: 'sendgrid_key', pre: has('SG.'), re: /\bSG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}/g },
  { kind: 'shopify_token', pre: has('shp'), re: /\bshp(?:at|ca|pa|ss)_[A-Fa-f0-9]{32}/g },
  { kind: 'digitalocean_token', pre: has('_v1_'), re: /\bdo[opr]_v1_[a-f0-9]{64}/g },
  { kind: 'age_secret_key', pre: has('AGE-SECRET-KEY-'), re: /AGE-SECRET-KEY-1[0-9A-Z]{58}/g },
  { kind: 'azure_ad_client_secret', pre: has('Q~'), re: /[A-Za-z0-9_~.]{3}\dQ~[A-Za-z0-9_~.-]{31,34}/g },
  // Azure storage connection strings (`AccountKey=…;`) and SAS tokens (`?sv=…&sig=…`).
  {
    kind: 'azure_storage_key',
    pre: has('ccountKey'),
    re: /(AccountKey\s*=\s*)[A-Za-z0-9+/]{20,}={0,2}/gi,
    replace: (_m, key = '') => `${key}${mark('azure_storage_key')}`,
  },
  {
    kind: 'azure_sas_signature',
    pre: has('sig='),
    re: /([?&;\s"']sig=)[A-Za-z0-9%+/=_-]{16,}/g,
    replace: (_m, key = '') => `${key}${mark('azure_sas_signature')}`,
  },
  // `Authorization: Basic dXNlcjpwYXNz`, any case, only when the value is base64 of `user:password`.
  {
    kind: 'basic_auth',
    pre: (s) => /asic[ \t]/i.test(s),
    // Case-insensitive by spelling (an `i` flag would widen BASIC_CREDENTIAL's classes).
    re: new RegExp(String.raw`\b([bB][aA][sS][iI][cC][ \t]+)(${BASIC_CREDENTIAL})`, 'g'),
    replace: (m, word = '', b64 = '') => (isUserPass(b64) ? `${word}${mark('basic_auth')}` : m),
  },
  // `curl -u user:pw`, `curl --user user:pw`, `wget --password pw`, `docker login --password pw`,
  // `mysql --password pw` (the `=` forms are assignments).
  {
    kind: 'cli_credentials',
    pre: has('-u'),
    re: /(\s(?:-u|--user|--proxy-user)(?:[ \t]+|=)?)(['"]?)([^\s:'"]+:)[^\s'"]+/g,
    replace: (_m, flag = '', quote = '', user = '') => `${flag}${quote}${user}${mark('cli_credentials')}`,
  },
  {
    kind: 'cli_password',
    pre: (s) => s.includes('-pass'),
    re: /(\s--?(?:password|passwd|pass)[ \t]+)(?!-)('[^'\n]*'|"[^"\n]*"|[^\s'"]+)/g,
    replace: (_m, flag = '') => `${flag}${mark('cli_password')}`,
  },
  // `mysql -pPW` / `mysqldump -u root -p'PW'` (no space: with a space `-p` prompts), `docker login -p PW`.
  {
    kind: 'cli_password',
    pre: has('-p'),
    re: new RegExp(String.raw`(${MYSQL_COMMAND}[^\n|;&]*?\s-p)('[^'\n]*'|"[^"\n]*"|[^\s'"]+)`, 'g'),
    replace: (_m, flag = '') => `${flag}${mark('cli_password')}`,
  },
  {
    kind: 'cli_password',
    pre: has('-p'),
    re: new RegExp(String.raw`(${REGISTRY_LOGIN}[^\n|;&]*?\s-p[ \t]+)('[^'\n]*'|"[^"\n]*"|[^\s'"]+)`, 'g'),
    replace: (_m, flag = '') => `${flag}${mark('cli_password')}`,
  },
];
