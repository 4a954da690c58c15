/** docker-compose.yml as Compose reads it: parsed with its merge keys, and its `${...}` interpolation. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from './repo.js';

export interface ComposeService {
  image?: string;
  build?: { target?: string };
  command?: string[];
  profiles?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  ports?: string[];
  volumes?: string[];
  restart?: string;
}

export function composeFile(file = 'docker-compose.yml'): { services: Record<string, ComposeService> } {
  return parse(readFileSync(join(REPO_ROOT, file), 'utf8'), { merge: true }) as {
    services: Record<string, ComposeService>;
  };
}

/**
 * Compose's interpolation (docs.docker.com/reference/compose-file/interpolation): `${VAR}`, `${VAR:-default}`,
 * `${VAR-default}`, `${VAR:+replacement}`, `${VAR+replacement}`, operands nested; `:` counts an empty value as
 * unset. `$$` is a literal `$`.
 */
export function interpolate(s: string, env: Record<string, string | undefined> = {}): string {
  let out = '';
  let i = 0;
  while (i < s.length) {
    if (s.startsWith('$$', i)) {
      out += '$';
      i += 2;
      continue;
    }
    if (!s.startsWith('${', i)) {
      out += s[i++];
      continue;
    }
    // The operand runs to the brace that closes this one, nested `${...}` included.
    let depth = 1;
    let j = i + 2;
    for (; j < s.length && depth > 0; j++) {
      if (s.startsWith('${', j)) {
        depth++;
        j++;
      } else if (s[j] === '}') depth--;
    }
    if (depth !== 0) throw new Error(`unclosed \${ in ${s}`);
    const body = s.slice(i + 2, j - 1);
    const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+?])([\s\S]*))?$/.exec(body);
    if (!m) throw new Error(`not a Compose variable: \${${body}}`);
    const [, name, op, operand = ''] = m;
    const value = env[name!];
    const set = op?.startsWith(':') ? value !== undefined && value !== '' : value !== undefined;
    if (!op) out += value ?? '';
    else if (op.endsWith('-')) out += set ? value : interpolate(operand, env);
    else if (op.endsWith('+')) out += set ? interpolate(operand, env) : '';
    else if (set) out += value;
    else throw new Error(`required variable ${name!} is not set: ${interpolate(operand, env)}`);
    i = j;
  }
  return out;
}
