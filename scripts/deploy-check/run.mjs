/**
 * Child processes of the check. Asynchronous on purpose: the webhook receiver lives in this process and must
 * keep answering while docker and cctap run.
 */
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';

export class CheckError extends Error {}

/**
 * Runs `cmd args`, resolves with stdout. A non-zero exit is a CheckError naming the command and its last
 * stderr line (the full output is in `log` when given).
 */
export function run(cmd, args, { input, log, env, cwd, allowFail = false } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env: env ? { ...process.env, ...env } : process.env });
    const out = [];
    const err = [];
    const file = log ? createWriteStream(log, { flags: 'a' }) : null;
    child.stdout.on('data', (c) => {
      out.push(c);
      file?.write(c);
    });
    child.stderr.on('data', (c) => {
      err.push(c);
      file?.write(c);
    });
    child.on('error', (e) => reject(new CheckError(`${cmd}: ${e.message}`)));
    child.on('close', (code, signal) => {
      file?.end();
      const stdout = Buffer.concat(out).toString('utf8');
      const stderr = Buffer.concat(err).toString('utf8');
      if (code === 0 || allowFail) return resolve({ code, stdout, stderr });
      const last =
        (stderr.trim() || stdout.trim())
          .split('\n')
          .filter((l) => l.trim() !== '')
          .at(-1) ?? '';
      const where = log ? ` (output in ${log})` : '';
      reject(
        new CheckError(`${cmd} ${args.slice(0, 2).join(' ')} exited ${code ?? signal}${where}: ${last.slice(0, 300)}`),
      );
    });
    if (input !== undefined) child.stdin.end(input);
    else child.stdin.end();
  });
}

/** `docker ...`, resolving with trimmed stdout. */
export async function docker(args, opts = {}) {
  const r = await run('docker', args, opts);
  return r.stdout.trim();
}

/** True when `docker <args>` exits 0 (image/container/network exists). */
export async function dockerOk(args) {
  const r = await run('docker', args, { allowFail: true });
  return r.code === 0;
}

/**
 * Polls `check` until it returns a truthy value or `timeoutMs` passes; returns the value or throws `what`.
 * Other errors are retried (a probe before its server listens); a CheckError is final (a container exited).
 */
export async function waitFor(what, timeoutMs, check, everyMs = 250) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch (e) {
      if (e instanceof CheckError) throw e;
      last = e;
    }
    if (Date.now() > deadline)
      throw new CheckError(
        `${what}: not within ${Math.round(timeoutMs / 1000)} s${last ? ` (last error: ${last.message})` : ''}`,
      );
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
