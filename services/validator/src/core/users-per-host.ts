/**
 * Which users each host may report. `user` is self-reported by the collector, while the host is
 * authenticated (the subject its NATS credential may publish, checked as host_mismatch). Without this list
 * one laptop's credential could charge its usage to any colleague. With it, an event whose user is not listed
 * for its host is rejected as `user_not_allowed`, and a host missing from the list reports no one (fail
 * closed: a new host must be added on purpose).
 *
 * File format (JSON), host names as the collector reports them; `*` lets a shared machine report anyone:
 *   { "alpha": ["alice"], "build-01": ["*"] }
 */
import { readFileSync } from 'node:fs';
import { sanitizeToken } from '@cctap/events';

/** host subject token -> allowed users; a set holding `*` allows every user of that host. Keys are
 *  subject tokens (sanitizeToken) because the subject is what the credential proves. */
export type UsersPerHost = ReadonlyMap<string, ReadonlySet<string>>;

const ANY_USER = '*';

export class UsersPerHostError extends Error {
  override name = 'UsersPerHostError';
}

export function parseUsersPerHost(text: string, origin: string): UsersPerHost {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new UsersPerHostError(`${origin} is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    throw new UsersPerHostError(`${origin} must map each host to a list of users`);
  const out = new Map<string, Set<string>>();
  for (const [host, users] of Object.entries(doc)) {
    const list = typeof users === 'string' ? [users] : users;
    if (!Array.isArray(list) || !list.every((u) => typeof u === 'string' && u !== '')) {
      throw new UsersPerHostError(
        `${origin}: host '${host}' must map to a list of user names (or ["*"] for any), got ${JSON.stringify(users)}`,
      );
    }
    out.set(sanitizeToken(host), new Set(list as string[]));
  }
  return out;
}

export function loadUsersPerHost(file: string): UsersPerHost {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsersPerHostError(`cannot read ${file}: ${(err as Error).message}`);
  }
  return parseUsersPerHost(text, file);
}

/** Why `user` may not be reported by `host`, or null when it may. */
export function userNotAllowed(list: UsersPerHost, host: string, user: string): string | null {
  const allowed = list.get(sanitizeToken(host));
  if (!allowed) return `host '${host}' is not in the users-per-host list`;
  if (allowed.has(ANY_USER) || allowed.has(user)) return null;
  return `user '${user}' is not allowed for host '${host}' (allowed: ${[...allowed].join(', ')})`;
}
