/**
 * External programs the tests run (nats-server, promtool, prometheus, kubectl). A missing one fails the tests
 * that need it with one line saying what to install: a skipped check reads like a passed one in a summary.
 */
import { spawnSync } from 'node:child_process';

/** The path of `cmd` on PATH, or null. */
export function findTool(cmd: string): string | null {
  const r = spawnSync('sh', ['-c', 'command -v "$1"', 'sh', cmd], { encoding: 'utf8' });
  const path = r.status === 0 ? r.stdout.trim() : '';
  return path === '' ? null : path;
}

/** The first of `cmds` on PATH, or an Error naming `install` (for a test to throw). */
export function requireTool(cmds: string | readonly string[], install: string): { cmd: string; path: string } {
  const list = typeof cmds === 'string' ? [cmds] : cmds;
  for (const cmd of list) {
    const path = findTool(cmd);
    if (path) return { cmd, path };
  }
  throw new Error(`${list.join(' or ')} not found on PATH: ${install}`);
}
