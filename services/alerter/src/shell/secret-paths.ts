/**
 * Recognises files that hold secrets, by path, and finds them among the words of a shell command.
 *
 * Decisions: `.env` and its environment variants (`.env.local`, `.env.production`) count; the committed
 * templates (`.env.example`, `.env.sample`, `.env.template`, `.env.dist`) do not. Private keys count
 * (`id_rsa`, `id_ed25519`, … but not their `.pub`), as do `*.pem`, `*.key`, `*.p12`/`*.pfx`, and the
 * well-known credential files of cloud and package tools.
 */
import { splitCommands } from './tokenize.js';

const TEMPLATE_SUFFIX = /\.(example|sample|template|dist|defaults?)$/i;

const SECRET_FILE_NAMES = new Set([
  'id_rsa',
  'id_dsa',
  'id_ecdsa',
  'id_ed25519',
  'id_ecdsa_sk',
  'id_ed25519_sk',
  '.npmrc',
  '.netrc',
  '_netrc',
  '.pgpass',
  '.git-credentials',
  '.pypirc',
  '.htpasswd',
  'credentials.json',
  'service-account.json',
  'secrets.yaml',
  'secrets.yml',
  'secrets.json',
]);

/** Credential files identified by their parent directory too (`~/.aws/credentials`). */
const SECRET_SUFFIXES = [
  '.aws/credentials',
  '.aws/config',
  '.docker/config.json',
  '.kube/config',
  '.ssh/config',
  'gcloud/credentials.db',
  'gcloud/application_default_credentials.json',
  '.config/gh/hosts.yml',
];

export function isSecretPath(path: string): boolean {
  const p = path.trim().replace(/^["']|["']$/g, '');
  if (p === '' || /\s/.test(p)) return false;
  const name = p.slice(p.lastIndexOf('/') + 1);
  if (TEMPLATE_SUFFIX.test(name)) return false;
  if (name === '.env' || /^\.env\.[A-Za-z0-9_-]+$/.test(name) || /^[A-Za-z0-9_-]+\.env$/.test(name)) return true;
  if (SECRET_FILE_NAMES.has(name)) return true;
  if (/\.(pem|key|p12|pfx|jks|keystore)$/i.test(name) && !/\.pub$/i.test(name)) return true;
  return SECRET_SUFFIXES.some((s) => p === s || p.endsWith(`/${s}`));
}

/** Every word (argument or redirect target) of every simple command of `line` that names a secret file. */
export function findSecretPathsInCommand(line: string): string[] {
  const found = new Set<string>();
  const visit = (text: string, depth: number) => {
    for (const cmd of splitCommands(text)) {
      for (const w of cmd.words.slice(1)) {
        if (isSecretPath(w)) found.add(w);
        // `--file=.env`, `src=~/.aws/credentials`
        const eq = w.indexOf('=');
        if (eq > 0 && isSecretPath(w.slice(eq + 1))) found.add(w.slice(eq + 1));
      }
      for (const r of cmd.redirects) if (isSecretPath(r.target)) found.add(r.target);
      // `bash -c 'cat .env'`
      const c = cmd.words.findIndex((w) => /^-[a-z]*c[a-z]*$/.test(w));
      if (depth < 3 && c > 0 && cmd.words[c + 1] !== undefined) visit(cmd.words[c + 1]!, depth + 1);
    }
  };
  visit(line, 0);
  return [...found];
}
