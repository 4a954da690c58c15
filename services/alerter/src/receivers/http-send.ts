/**
 * One HTTP attempt and its classification. The delivery worker owns the retry loop; this decides what a
 * response means, and whether a failed attempt may nevertheless have reached the receiver:
 *
 *   outcome                                         kind        may have reached the receiver
 *   2xx                                             delivered   (yes: it did)
 *   429 (Retry-After honoured: seconds or HTTP date) retry       no: the receiver refused it
 *   408                                             retry       no: the receiver says the request never arrived whole
 *   5xx                                             retry       yes: a receiver (or its proxy) can fail after acting
 *   network error before the request was written    retry       no: refused, DNS failure, unreachable, TLS failure
 *   timeout / reset / abort after it was written    retry       yes: the receiver may have it and answered too late
 *   other 4xx                                       permanent   (not retried: Slack's retired webhook, a bad payload)
 *
 * "Written" means node:http's `finish`: the last byte of headers and body was handed to the operating system.
 * Before that the receiver cannot hold a complete request (the body length is declared), so a failure then is
 * certainly not a delivery. That distinction is why this uses node:http(s) and not fetch, which reports a
 * refused connection and a timeout after the write alike. A reset on a reused keep-alive connection (the
 * receiver closed it while idle) looks like a failure after the write and is treated as one: it may over-count
 * possible duplicates, never under-count. Redirects are not followed (a POST body does not survive a 301/302):
 * a 3xx is a permanent failure that names the status.
 */
import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface HttpRequestSpec {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
}

export type SendOutcome =
  | { kind: 'delivered'; status: number }
  | {
      kind: 'retry';
      status: number | null;
      retryAfterMs: number | null;
      error: string;
      /** True when the receiver may have received (and acted on) the request despite the failure. */
      mayHaveReached: boolean;
    }
  | { kind: 'permanent'; status: number; error: string };

/** Parses Retry-After: delta seconds or an HTTP date; null when absent or unreadable. */
function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (value === null || value.trim() === '') return null;
  if (/^\s*\d+(\.\d+)?\s*$/.test(value)) return Math.round(Number(value) * 1000);
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.max(0, at - now) : null;
}

/** Enough of an error body for a log line; the rest is drained unread so the connection can be reused. */
const MAX_ERROR_BODY_BYTES = 4096;

function classify(status: number, text: string, retryAfter: string | null): SendOutcome {
  if (status >= 200 && status < 300) return { kind: 'delivered', status };
  const error = `HTTP ${status}${text ? `: ${text.slice(0, 200)}` : ''}`;
  if (status === 429 || status === 408)
    return { kind: 'retry', status, retryAfterMs: parseRetryAfter(retryAfter), error, mayHaveReached: false };
  if (status >= 500)
    return { kind: 'retry', status, retryAfterMs: parseRetryAfter(retryAfter), error, mayHaveReached: true };
  return { kind: 'permanent', status, error };
}

export function sendOnce(req: HttpRequestSpec): Promise<SendOutcome> {
  return new Promise<SendOutcome>((resolve) => {
    let url: URL;
    try {
      url = new URL(req.url);
    } catch {
      resolve({
        kind: 'retry',
        status: null,
        retryAfterMs: null,
        error: `invalid URL ${req.url}`,
        mayHaveReached: false,
      });
      return;
    }
    const body = Buffer.from(req.body, 'utf8');
    let written = false;
    let settled = false;
    let res: IncomingMessage | null = null;
    const chunks: Buffer[] = [];
    let kept = 0;
    const finish = (o: SendOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(o);
    };
    const fromResponse = () => {
      const r = res!;
      const retryAfter = r.headers['retry-after'];
      finish(
        classify(
          r.statusCode ?? 0,
          Buffer.concat(chunks).toString('utf8'),
          typeof retryAfter === 'string' ? retryAfter : null,
        ),
      );
    };
    const failed = (why: string) => {
      // A status line already read decides (the receiver answered); otherwise it depends on the write.
      if (res) fromResponse();
      else finish({ kind: 'retry', status: null, retryAfterMs: null, error: why, mayHaveReached: written });
    };
    let r: ClientRequest;
    try {
      r = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...req.headers, 'content-length': String(body.length) },
      });
    } catch (err) {
      resolve({
        kind: 'retry',
        status: null,
        retryAfterMs: null,
        error: (err as Error).message,
        mayHaveReached: false,
      });
      return;
    }
    // Declared after `finish`, which only runs from events emitted once this exists.
    const timer = setTimeout(() => {
      failed(`timeout after ${req.timeoutMs} ms${written ? ' (request written)' : ' (request not written)'}`);
      r.destroy();
    }, req.timeoutMs);
    r.on('finish', () => {
      written = true;
    });
    r.on('error', (err: Error & { code?: string }) => failed(err.code ?? err.message));
    r.on('response', (m) => {
      res = m;
      m.on('data', (c: Buffer) => {
        if (kept < MAX_ERROR_BODY_BYTES) {
          chunks.push(c);
          kept += c.length;
        }
      });
      m.on('end', fromResponse);
      // A body cut short after the status line: the status still decides.
      m.on('error', fromResponse);
      m.on('close', fromResponse);
    });
    r.end(body);
  });
}
