/**
 * `<data>/up.json`: the lock and the address of a running `cctap up` on one embedded store.
 *
 *   absent ──acquire()──▶ locked {pid, port: null} ──publish(port, token)──▶ serving {pid, port, token}
 *      ▲                                                                            │
 *      └──────────────────────────────── release() (exit) ◀─────────────────────────┘
 *
 * The embedded engine allows one process per data directory, so the file is created exclusively: a second
 * `up` finds it, sees that its holder still runs and refuses (InstanceLockedError). A file left by a process
 * that died (kill -9, power loss) is taken over. "Still runs" is more than "the pid is alive": after a reboot
 * or a long time the pid is reused by an unrelated process, which must neither block `up` nor be named as
 * the holder. So the file also records the holder's start time as the kernel knows it (`procStart`, Linux
 * /proc/<pid>/stat field 22); a pid whose start time differs is another process. Files without it (older
 * versions) and systems without /proc fall back to the command line: a holder must be a cctap process. Readers (`cctap report`, `cctap sql`)
 * use `readLiveInstance` to find the loopback query endpoint; the token keeps other local users out.
 * Only node:fs here: `cctap report` loads this module and must stay light.
 */
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export const INSTANCE_FILE = 'up.json';

export interface UpInstance {
  pid: number;
  /** Loopback port of the query endpoint; null while starting. */
  port: number | null;
  /** Sent as `authorization: Bearer <token>` to the query endpoint. */
  token: string | null;
  /** The web page with its token (http://127.0.0.1:<port>/?token=…); null while starting or without a page. */
  url?: string | null;
  startedAt: string;
  /** The holder's start time in clock ticks since boot (Linux), to tell it from a later process with its pid. */
  procStart?: string | null;
}

export class InstanceLockedError extends Error {
  override readonly name = 'InstanceLockedError';
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(
      `${dataDir} is in use by another 'cctap up' (pid ${pid}); stop it first (or use --data DIR for another store)`,
    );
  }
}

function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Start time of `pid` in clock ticks since boot (field 22 of /proc/<pid>/stat); null where there is no /proc. */
export function processStart(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: fields are counted after its last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

/** Whether `pid` runs a cctap command, from its command line; null where that cannot be read. */
function runsCctap(pid: number): boolean | null {
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return /cctap|[/\\]cli[/\\]dist[/\\]main\.js/.test(cmdline);
  } catch {
    return null;
  }
}

/** The process that wrote `inst` still runs (not merely a process with its pid). */
function holderRuns(inst: UpInstance): boolean {
  if (!pidAlive(inst.pid)) return false;
  if (inst.pid === process.pid) return true;
  const now = processStart(inst.pid);
  if (inst.procStart && now !== null) return now === inst.procStart;
  return runsCctap(inst.pid) ?? true;
}

function parse(text: string): UpInstance | null {
  try {
    const v = JSON.parse(text) as Partial<UpInstance>;
    if (typeof v.pid !== 'number') return null;
    return {
      pid: v.pid,
      port: typeof v.port === 'number' ? v.port : null,
      token: typeof v.token === 'string' ? v.token : null,
      url: typeof v.url === 'string' ? v.url : null,
      startedAt: String(v.startedAt ?? ''),
      procStart: typeof v.procStart === 'string' ? v.procStart : null,
    };
  } catch {
    return null;
  }
}

/** The instance serving `dataDir`, or null when there is none (no file, unreadable, or its pid is dead). */
export function readLiveInstance(dataDir: string): UpInstance | null {
  let text: string;
  try {
    text = readFileSync(join(dataDir, INSTANCE_FILE), 'utf8');
  } catch {
    return null;
  }
  const inst = parse(text);
  return inst && inst.pid !== process.pid && holderRuns(inst) ? inst : null;
}

export interface InstanceHandle {
  readonly path: string;
  /** Records the query endpoint and the web page's address (atomic replace, mode 0600). */
  publish(port: number, token: string, url?: string | null): void;
  /** Removes the file if it is still ours. */
  release(): void;
}

/** Takes the lock on `dataDir` or throws InstanceLockedError. `up` narrows the directory first (kit privateDir). */
export function acquireInstance(dataDir: string): InstanceHandle {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const path = join(dataDir, INSTANCE_FILE);
  const startedAt = new Date().toISOString();
  const procStart = processStart(process.pid);
  const body = (port: number | null, token: string | null, url: string | null = null) =>
    `${JSON.stringify({ pid: process.pid, port, token, url, startedAt, procStart } satisfies UpInstance)}\n`;
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, body(null, null));
      closeSync(fd);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw err;
      let text = '';
      try {
        text = readFileSync(path, 'utf8');
      } catch {
        // removed between open and read: try again
      }
      const holder = parse(text);
      if (holder && holder.pid !== process.pid && holderRuns(holder))
        throw new InstanceLockedError(dataDir, holder.pid);
      rmSync(path, { force: true }); // stale: its process is gone (or its pid now names another process)
    }
  }
  let released = false;
  return {
    path,
    publish(port, token, url) {
      const tmp = `${path}.${process.pid}.tmp`;
      writeFileSync(tmp, body(port, token, url ?? null), { mode: 0o600 });
      renameSync(tmp, path);
    },
    release() {
      if (released) return;
      released = true;
      try {
        if (parse(readFileSync(path, 'utf8'))?.pid === process.pid) rmSync(path, { force: true });
      } catch {
        // already gone
      }
    },
  };
}
