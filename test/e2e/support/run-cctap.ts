/**
 * The built `cctap` command as a user runs it, for end-to-end tests: `cli` runs one command to its exit,
 * `startCctap` (and `startUp`) start a long-running command whose output is kept. The child never sees a server or a
 * `CCTAP_*` setting from the test environment, so what a test passes is all it gets (embedded mode unless
 * the test says otherwise).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../../support/paths.js';
import { waitFor } from '../../support/wait-for.js';

export const CCTAP = join(REPO_ROOT, 'apps/cctap/dist/main.js');
/** A decisions file no test writes: where a child's guard decisions are read from unless the test names one. */
const NO_GUARD_DECISIONS = join(tmpdir(), 'cctap-e2e-no-guard', 'decisions.jsonl');

export function childEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of Object.keys(env))
    if (k === 'NATS_URL' || k === 'CLICKHOUSE_URL' || k === 'CLAUDE_CONFIG_DIR' || k.startsWith('CCTAP_'))
      delete env[k];
  // Nor this machine's guard decisions (`up` and `collect` publish ~/.cctap/guard/decisions.jsonl by default).
  return { ...env, CCTAP_GUARD_DECISIONS: NO_GUARD_DECISIONS, ...extra };
}

/** A long-running `cctap <command>`; its output is kept. */
export interface Running {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<number | null>;
  /** The signal that ended the process, once it has ended by one (a stop past its deadline is a SIGKILL). */
  signal: () => NodeJS.Signals | null;
}

export type Up = Running;

export function startUp(args: readonly string[], env?: NodeJS.ProcessEnv): Up {
  return startCctap(['up', ...args], env);
}

export function startCctap(args: readonly string[], env?: NodeJS.ProcessEnv): Running {
  const child = spawn(process.execPath, [CCTAP, ...args], { env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  // 'close', not 'exit': it comes once the output streams are drained, so the end of stdout is never cut off.
  let signal: NodeJS.Signals | null = null;
  const exit = new Promise<number | null>((resolve) =>
    child.on('close', (code, sig) => {
      signal = sig;
      resolve(code);
    }),
  );
  return { child, stdout: () => out, stderr: () => err, exit, signal: () => signal };
}

/**
 * The exit code of a running command that must end within `ms`; past that it is killed and the test fails
 * naming the step and the end of its output, instead of hanging until the test's own timeout.
 */
export async function exitWithin(run: Running, ms: number, what: string): Promise<number | null> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      run.child.kill('SIGKILL');
      reject(new Error(`${what} did not end within ${ms} ms; its output ends with:\n${run.stderr().slice(-3000)}`));
    }, ms);
  });
  try {
    return await Promise.race([run.exit, late]);
  } finally {
    clearTimeout(timer);
  }
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `cctap <args>` to its end; with `withinMs`, a run that does not end in time fails the test (exitWithin). */
export async function cli(args: readonly string[], env?: NodeJS.ProcessEnv, withinMs?: number): Promise<CliResult> {
  const run = startCctap(args, env);
  const code =
    withinMs === undefined ? await run.exit : await exitWithin(run, withinMs, `cctap ${args.slice(0, 2).join(' ')}`);
  return { code, stdout: run.stdout(), stderr: run.stderr() };
}

/** `cctap sql … --format json` on a store; throws with stderr when the command fails. */
export async function sqlJson<T = Record<string, unknown>>(data: string, sql: string): Promise<T[]> {
  const r = await cli(['sql', sql, '--format', 'json', '--data', data]);
  if (r.code !== 0) throw new Error(`cctap sql failed (${r.code}): ${r.stderr}`);
  return JSON.parse(r.stdout) as T[];
}

/** waitFor at a quarter-second pace (what a command's output needs), naming that output on timeout. */
export const waitUntil = <T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs: number,
  context?: () => string,
): Promise<T> => waitFor(what, probe, timeoutMs, 250, context);
