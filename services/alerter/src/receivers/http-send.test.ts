/**
 * The classification of one attempt against real node:http servers: which failures may have reached the
 * receiver (a re-send is a possible duplicate) and which certainly did not.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestReceiver } from '../testing/http-receiver.js';
import { sendOnce } from './http-send.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function receiver() {
  const r = await startTestReceiver();
  cleanups.push(() => r.close());
  return r;
}

const post = (url: string, timeoutMs = 2000) =>
  sendOnce({ url, headers: { 'idempotency-key': 'k#firing#1' }, body: '{"alerts":[]}', timeoutMs });

describe('sendOnce', () => {
  it('2xx is delivered; other 4xx is permanent with the status and body in the error', async () => {
    const r = await receiver();
    expect(await post(r.url)).toEqual({ kind: 'delivered', status: 200 });
    r.respond = () => ({ status: 400 });
    expect(await post(r.url)).toEqual({ kind: 'permanent', status: 400, error: 'HTTP 400: no' });
    expect(r.requests.map((q) => q.headers['idempotency-key'])).toEqual(['k#firing#1', 'k#firing#1']);
  });

  it('5xx may have reached the receiver; 429 and 408 did not (Retry-After read)', async () => {
    const r = await receiver();
    r.respond = () => ({ status: 503 });
    expect(await post(r.url)).toMatchObject({ kind: 'retry', status: 503, mayHaveReached: true, retryAfterMs: null });
    r.respond = () => ({ status: 429, headers: { 'retry-after': '2' } });
    expect(await post(r.url)).toMatchObject({ kind: 'retry', status: 429, mayHaveReached: false, retryAfterMs: 2000 });
    r.respond = () => ({ status: 408 });
    expect(await post(r.url)).toMatchObject({ kind: 'retry', status: 408, mayHaveReached: false });
  });

  it('a timeout after the request was written may have reached the receiver (it did: it answers later)', async () => {
    const r = await receiver();
    r.respond = () => ({ status: 200, delayMs: 400 });
    const out = await post(r.url, 100);
    expect(out).toMatchObject({ kind: 'retry', status: null, mayHaveReached: true });
    expect(out.kind === 'retry' && out.error).toContain('timeout after 100 ms (request written)');
    expect(r.requests).toHaveLength(1);
  });

  it('a connection reset after the request was written may have reached the receiver', async () => {
    let got = 0;
    const server = createServer((req) => {
      req.resume();
      req.on('end', () => {
        got++;
        req.socket.destroy();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const out = await post(`http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`);
    expect(out).toMatchObject({ kind: 'retry', status: null, mayHaveReached: true });
    expect(got).toBe(1);
  });

  it('connection refused and DNS failure certainly did not reach it', async () => {
    const r = await receiver();
    const url = r.url;
    await r.close();
    expect(await post(url)).toMatchObject({
      kind: 'retry',
      status: null,
      mayHaveReached: false,
      error: 'ECONNREFUSED',
    });
    expect(await post('http://receiver.invalid/hook')).toMatchObject({
      kind: 'retry',
      status: null,
      mayHaveReached: false,
    });
  });
});
