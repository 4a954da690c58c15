/**
 * A real HTTP receiver on 127.0.0.1 for tests and benchmarks: records every request and answers with what the
 * test scripts (`respond`), 200 by default.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  at: number;
  headers: IncomingHttpHeaders;
  body: string;
  json: unknown;
  status: number;
}

export interface TestReceiver {
  url: string;
  requests: ReceivedRequest[];
  /** Decides the status (and headers) of the next answers; the request count so far is passed in. */
  respond: (n: number, req: { body: string }) => { status: number; headers?: Record<string, string>; delayMs?: number };
  /** Called with every request as it is received (benchmarks timestamp here). */
  onRequest?: (r: ReceivedRequest) => void;
  close(): Promise<void>;
}

export async function startTestReceiver(port = 0): Promise<TestReceiver> {
  const receiver: TestReceiver = {
    url: '',
    requests: [],
    respond: () => ({ status: 200 }),
    close: async () => undefined,
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const answer = receiver.respond(receiver.requests.length, { body });
      let json: unknown = null;
      try {
        json = JSON.parse(body);
      } catch {
        /* keep null */
      }
      const r: ReceivedRequest = { at: Date.now(), headers: req.headers, body, json, status: answer.status };
      receiver.requests.push(r);
      receiver.onRequest?.(r);
      const reply = () => {
        if (res.destroyed) return;
        res.writeHead(answer.status, { 'content-type': 'text/plain', ...answer.headers });
        res.end(answer.status < 300 ? 'ok' : 'no');
      };
      if (answer.delayMs) setTimeout(reply, answer.delayMs);
      else reply();
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  receiver.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return receiver;
}
