/**
 * A fetch that fails after it delivered messages (here: nats-server frozen with SIGSTOP, so the fetch's
 * idle heartbeats go missing) must not strand those messages until the consumer's ack_wait: the loop naks
 * them, and they are redelivered as soon as the server answers again. The server is spawned by this file
 * (not test/support/nats.ts) because the test needs its pid.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topology } from '@cctap/events';
import { connectNats, createJetStreamBus, provision, type BusMessage, type JetStreamBus } from '@cctap/kit';
import { freePort } from '../support/free-port.js';
import { requireTool } from '../support/tools.js';

const ACK_WAIT_MS = 60_000;
let server: ChildProcess;
let dir: string;
let nc: NatsConnection;
let bus: JetStreamBus;
const t = topology(`pl${process.pid}`);

beforeAll(async () => {
  requireTool('nats-server', 'install nats-server (Debian: apt-get install -y nats-server; .ci/run does)');
  const port = await freePort();
  dir = mkdtempSync(join(tmpdir(), 'cctap-pull-loop-'));
  server = spawn('nats-server', ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', dir], { stdio: 'ignore' });
  for (let i = 0; ; i++) {
    try {
      nc = await connectNats({ servers: `nats://127.0.0.1:${port}`, name: 'pull-loop-test' });
      break;
    } catch (err) {
      if (i > 100) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  await provision(nc, { prefix: t.prefix, maxBytes: 32 * 1024 * 1024, ackWaitMs: ACK_WAIT_MS });
  bus = createJetStreamBus(nc, { topology: t });
});

afterAll(async () => {
  server?.kill('SIGCONT');
  await bus?.close().catch(() => undefined);
  await nc?.close().catch(() => undefined);
  server?.kill('SIGKILL');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('pull loop, batch mode', () => {
  it('naks what a failed fetch delivered, so it comes back long before ack_wait', async () => {
    for (let i = 0; i < 3; i++)
      await bus.publish(t.subjects.raw('h'), new TextEncoder().encode(`m${i}`), { msgId: `m${i}` });
    const handled: BusMessage[] = [];
    // A batch of 10 that only 3 messages can fill: the fetch holds them while it waits for more.
    const sub = bus.consumeBatch('validator', async (msgs) => void handled.push(...msgs), {
      batchSize: 10,
      expiresMs: 1000,
    });
    await new Promise((r) => setTimeout(r, 300));
    server.kill('SIGSTOP');
    // Two missed heartbeats (0.5 s each for a 1 s fetch) fail the fetch; then let the server answer again.
    await new Promise((r) => setTimeout(r, 2500));
    server.kill('SIGCONT');
    const t0 = Date.now();
    while (handled.length < 3 && Date.now() - t0 < 15_000) await new Promise((r) => setTimeout(r, 50));
    await sub.stop();
    expect(handled.map((m) => new TextDecoder().decode(m.data)).sort()).toEqual(['m0', 'm1', 'm2']);
    expect(Date.now() - t0).toBeLessThan(ACK_WAIT_MS / 4);
    // They were delivered to the failed fetch first: what the handler saw is the redelivery.
    expect(handled.every((m) => m.deliveryCount === 2)).toBe(true);
  });
});
