import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  acquireInstance,
  INSTANCE_FILE,
  InstanceLockedError,
  processStart,
  readLiveInstance,
} from './instance-file.js';

const dirs: string[] = [];
const dir = () => {
  const d = mkdtempSync(join(tmpdir(), 'cctap-instance-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('up.json', () => {
  it('is created on acquire, carries the endpoint once published, and is removed on release', () => {
    const d = dir();
    const h = acquireInstance(d);
    expect(JSON.parse(readFileSync(join(d, INSTANCE_FILE), 'utf8'))).toMatchObject({ pid: process.pid, port: null });
    h.publish(4321, 'tok', 'http://127.0.0.1:4321/?token=tok');
    expect(JSON.parse(readFileSync(join(d, INSTANCE_FILE), 'utf8'))).toMatchObject({
      pid: process.pid,
      port: 4321,
      token: 'tok',
      url: 'http://127.0.0.1:4321/?token=tok',
    });
    h.release();
    expect(existsSync(join(d, INSTANCE_FILE))).toBe(false);
  });

  it('refuses a store held by a live process and names it', async () => {
    const d = dir();
    // A stand-in holder whose command line names cctap, as `node …/cli/dist/main.js up` or `cctap up` does.
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)', 'cctap', 'up']);
    try {
      writeFileSync(
        join(d, INSTANCE_FILE),
        JSON.stringify({ pid: other.pid, port: 1, token: 't', startedAt: '', procStart: processStart(other.pid!) }),
      );
      expect(readLiveInstance(d)).toMatchObject({ pid: other.pid, port: 1 });
      expect(() => acquireInstance(d)).toThrow(InstanceLockedError);
      expect(() => acquireInstance(d)).toThrow(`pid ${other.pid}`);
    } finally {
      other.kill();
      await new Promise((r) => other.on('exit', r));
    }
    // Its process is gone: the file is stale and is taken over.
    expect(readLiveInstance(d)).toBeNull();
    acquireInstance(d).release();
  });

  // A reboot, or enough time, gives the dead holder's pid to an unrelated process: that one must neither block
  // `up` nor be named as the holder.
  it('takes over a file whose pid now belongs to another process', async () => {
    const d = dir();
    const unrelated = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)', 'cctap', 'up']);
    try {
      const start = processStart(unrelated.pid!);
      expect(start, 'this test needs /proc').not.toBeNull();
      // Same pid, another start time: the process that wrote the file is gone.
      writeFileSync(
        join(d, INSTANCE_FILE),
        JSON.stringify({ pid: unrelated.pid, port: 1, token: 't', startedAt: '', procStart: `${Number(start) - 1}` }),
      );
      expect(readLiveInstance(d)).toBeNull();
      acquireInstance(d).release();
    } finally {
      unrelated.kill();
      await new Promise((r) => unrelated.on('exit', r));
    }
  });

  it('takes over a file from an older version (no start time) whose pid runs something other than cctap', async () => {
    const d = dir();
    const unrelated = spawn('sleep', ['30']);
    try {
      writeFileSync(join(d, INSTANCE_FILE), JSON.stringify({ pid: unrelated.pid, port: 1, token: 't', startedAt: '' }));
      expect(readLiveInstance(d)).toBeNull();
      const h = acquireInstance(d);
      expect(JSON.parse(readFileSync(join(d, INSTANCE_FILE), 'utf8'))).toMatchObject({
        pid: process.pid,
        procStart: processStart(process.pid),
      });
      h.release();
    } finally {
      unrelated.kill();
      await new Promise((r) => unrelated.on('exit', r));
    }
  });

  it('ignores an unreadable file', () => {
    const d = dir();
    writeFileSync(join(d, INSTANCE_FILE), 'not json');
    expect(readLiveInstance(d)).toBeNull();
    acquireInstance(d).release();
  });
});
