/**
 * The reader side of the loopback query endpoint: `cctap report` and `cctap sql` first ask a running
 * `cctap up` that owns the embedded store (it cannot be opened twice), and open the store themselves only
 * when none runs. Light on purpose: node:http and node:fs, no engine.
 */
import { request } from 'node:http';
import { readLiveInstance } from './instance-file.js';
import { QUERY_PATH, type QueryRequest, type QueryResponse } from './query-protocol.js';

/** The running `up` answered with an error; `errorName` is the server-side class (ReportOptionError, StoreQueryError, ...). */
export class UpQueryError extends Error {
  override readonly name = 'UpQueryError';
  constructor(
    readonly errorName: string,
    message: string,
  ) {
    super(message);
  }
}

export type Answer<T> = { answered: true; result: T; port: number } | { answered: false };

function post(port: number, token: string, body: string, timeoutMs: number): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: QUERY_PATH,
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Asks the `up` serving `dataDir`. `{ answered: false }` when none runs (or its endpoint is not up yet, or it
 * went away mid-request); throws UpQueryError when it answered with an error.
 */
export async function askRunningUp<T>(dataDir: string, q: QueryRequest, timeoutMs = 120_000): Promise<Answer<T>> {
  const inst = readLiveInstance(dataDir);
  if (!inst || inst.port === null || inst.token === null) return { answered: false };
  let res;
  try {
    res = await post(inst.port, inst.token, JSON.stringify(q), timeoutMs);
  } catch {
    return { answered: false };
  }
  let body: QueryResponse;
  try {
    body = JSON.parse(res.text) as QueryResponse;
  } catch {
    throw new UpQueryError(
      'ProtocolError',
      `unexpected answer from cctap up on port ${inst.port} (HTTP ${res.status})`,
    );
  }
  if (!body.ok) throw new UpQueryError(body.error.name, body.error.message);
  return { answered: true, result: body.result as T, port: inst.port };
}
