import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { INSTANCE_FILE, processStart } from './instance-file.js';
import { loopbackStore, openLoopbackStore, UpNotAnsweringError } from './loopback-store.js';

const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanup.splice(0)) c();
});

/** A port nothing listens on: taken from the kernel, then given back. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('a running up seen as a store', () => {
  it('is none without up.json', async () => {
    const d = mkdtempSync(join(tmpdir(), 'cctap-loopback-'));
    cleanup.push(() => rmSync(d, { recursive: true, force: true }));
    expect(loopbackStore(d)).toBeNull();
    expect(await openLoopbackStore(d)).toBeNull();
  });

  it('whose up does not answer its ping fails every query as not answering, so the caller opens the store', async () => {
    const d = mkdtempSync(join(tmpdir(), 'cctap-loopback-'));
    // A live process that is not serving: up.json names it, its port is closed.
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)', 'cctap', 'up']);
    cleanup.push(() => {
      holder.kill();
      rmSync(d, { recursive: true, force: true });
    });
    const port = await closedPort();
    writeFileSync(
      join(d, INSTANCE_FILE),
      JSON.stringify({ pid: holder.pid, port, token: 't', startedAt: '', procStart: processStart(holder.pid!) }),
    );
    const store = loopbackStore(d);
    expect(store).not.toBeNull();
    // Not the query's own failure (the store stopped answering): the ping decides, and it was never answered.
    const answers = await Promise.allSettled([store!.query('SELECT 1'), store!.query('SELECT 2')]);
    for (const a of answers) expect(a.status === 'rejected' && a.reason).toBeInstanceOf(UpNotAnsweringError);
    expect(await store!.ping()).toBe(false);
    expect(await openLoopbackStore(d)).toBeNull();
  });
});
