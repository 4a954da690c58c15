/**
 * The loopback query endpoint of `cctap up`: while `up` owns the embedded store, `cctap report` and
 * `cctap sql` send their question here (POST /v1/query, JSON, bearer token from up.json) and it runs on
 * the store `up` already has open. Bound to 127.0.0.1 on a free port; nothing but the report functions and
 * read-only SQL (`runSql`: enforced by the engine, on a session apart from the one the sink inserts through)
 * is reachable, and `cctap alerts` (list, silence, test) on the alerter `up` runs, and `cctap statusline`
 * (its figures, and quota readings into the bus: statusline/statusline-answerer.ts). Every other request goes
 * to the web page (web/web-routes.ts), when one is mounted, under the same token.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '@cctap/kit';
import type { Store } from '@cctap/store';
import type { AlertAccess } from '../alerts/alert-access.js';
import type { StatuslineAnswerer } from '../statusline/statusline-answerer.js';
import type { PageHandler } from '../web/web-routes.js';
import { answerQuery } from './answer-query.js';
import { QUERY_PATH, type QueryRequest, type QueryResponse } from './query-protocol.js';

export interface QueryServer {
  port: number;
  token: string;
  close(): Promise<void>;
}

const MAX_BODY = 1024 * 1024;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) req.destroy(new Error('request too large'));
      else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export async function startQueryServer(o: {
  store: Store;
  logger: Logger;
  alerts?: AlertAccess;
  statusline?: StatuslineAnswerer;
  page?: PageHandler;
}): Promise<QueryServer> {
  const token = randomBytes(24).toString('hex');
  const expected = Buffer.from(`Bearer ${token}`);
  const server = createServer((req, res) => {
    const send = (status: number, body: QueryResponse) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    const isQuery = (req.url ?? '').split('?')[0] === QUERY_PATH;
    if (!isQuery && o.page) {
      o.page(req, res, token);
      return;
    }
    if (req.method !== 'POST' || !isQuery) {
      send(404, { ok: false, error: { name: 'NotFound', message: `POST ${QUERY_PATH} only` } });
      return;
    }
    const auth = Buffer.from(req.headers.authorization ?? '');
    if (auth.length !== expected.length || !timingSafeEqual(auth, expected)) {
      send(401, {
        ok: false,
        error: { name: 'Unauthorized', message: 'missing or wrong token (read it from up.json)' },
      });
      return;
    }
    readBody(req)
      .then((text) => answerQuery(o.store, JSON.parse(text) as QueryRequest, o.alerts, o.statusline))
      .then(
        (result) => send(200, { ok: true, result }),
        (err: unknown) => {
          const e = err instanceof Error ? err : new Error(String(err));
          o.logger.debug('loopback query failed', { err: e });
          send(e instanceof SyntaxError || e instanceof TypeError ? 400 : 422, {
            ok: false,
            error: { name: e.name, message: e.message },
          });
        },
      );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
