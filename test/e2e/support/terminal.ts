/**
 * A `cctap` command on a pseudo-terminal, for what it shows a person there (colors, a progress bar redrawn
 * in place): util-linux `script` gives the command a TTY and copies what it writes to our pipe. The command
 * is exec'ed by the shell `script` starts, so the pid it writes first is the command's own, and a test
 * signals it directly (signalling `script` would make it kill the command instead of letting it stop).
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { waitFor } from '../../support/wait-for.js';
import { CCTAP, childEnv } from './run-cctap.js';

export interface InTerminal {
  /** Everything the terminal received, escapes included. */
  raw: () => string;
  /** The screen as lines: escapes removed, every redraw (carriage return) a line of its own. */
  lines: () => string[];
  exit: Promise<number | null>;
  /** Sends `signal` to the command (not to `script`). */
  kill: (signal: NodeJS.Signals) => Promise<void>;
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
// eslint-disable-next-line no-control-regex -- terminal escapes are what is removed
const ESCAPES = /\u001b\[[0-9;?]*[A-Za-z]/g;

function screenLines(raw: string): string[] {
  return raw
    .replace(ESCAPES, '')
    .split(/\r\n|\r|\n/)
    .map((l) => l.trimEnd())
    .filter((l) => l.length > 0);
}

export function startInTerminal(args: readonly string[], pidFile: string, env?: NodeJS.ProcessEnv): InTerminal {
  const command = `echo $$ > ${quote(pidFile)}; exec ${quote(process.execPath)} ${quote(CCTAP)} ${args.map(quote).join(' ')}`;
  // -e: the command's exit code; -f: copy output as it comes. stdin stays open: at its end `script` stops.
  const child = spawn('script', ['-qfec', command, '/dev/null'], {
    env: childEnv({ ...env, SHELL: '/bin/sh' }),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  // `script` ends with the command it runs.
  const ended = () => child.exitCode !== null || child.signalCode !== null;
  return {
    raw: () => out,
    lines: () => screenLines(out),
    exit,
    kill: async (signal) => {
      if (ended()) return;
      const pid = await waitFor(
        'the command pid',
        () => Number(readFileSync(pidFile, 'utf8').trim()) || undefined,
        10_000,
        50,
      );
      // Only while the command runs: an ended command's pid may already be another process's, such as another
      // test file's nats-server (pids wrap at 32768 here, threads included).
      if (!ended()) process.kill(pid, signal);
    },
  };
}
