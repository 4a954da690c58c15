/**
 * One HTTP attempt and its classification. The delivery worker owns the retry loop; this decides what a
 * response means:
 *
 *   2xx                      delivered
 *   429                      retry after Retry-After (seconds or HTTP date), else backoff
 *   408, 5xx, network, timeout  retry with exponential backoff and full jitter (Retry-After honoured if sent)
 *   other 4xx                permanent: never retried (Slack: a retired webhook, a malformed payload)
 */
export interface HttpRequestSpec {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
}

export type SendOutcome =
  | { kind: 'delivered'; status: number }
  | { kind: 'retry'; status: number | null; retryAfterMs: number | null; error: string }
  | { kind: 'permanent'; status: number; error: string };

/** Parses Retry-After: delta seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (value === null || value.trim() === '') return null;
  if (/^\s*\d+(\.\d+)?\s*$/.test(value)) return Math.round(Number(value) * 1000);
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.max(0, at - now) : null;
}

export async function sendOnce(req: HttpRequestSpec): Promise<SendOutcome> {
  let res: Response;
  try {
    res = await fetch(req.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...req.headers },
      body: req.body,
      signal: AbortSignal.timeout(req.timeoutMs),
    });
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    const why = e.name === 'TimeoutError' ? `timeout after ${req.timeoutMs} ms` : (e.cause?.code ?? e.cause?.message ?? e.message);
    return { kind: 'retry', status: null, retryAfterMs: null, error: why };
  }
  // Drain the body so the connection can be reused; keep a little of it for the error message.
  const text = await res.text().catch(() => '');
  if (res.status >= 200 && res.status < 300) return { kind: 'delivered', status: res.status };
  const error = `HTTP ${res.status}${text ? `: ${text.slice(0, 200)}` : ''}`;
  if (res.status === 429 || res.status === 408 || res.status >= 500) {
    return { kind: 'retry', status: res.status, retryAfterMs: parseRetryAfter(res.headers.get('retry-after')), error };
  }
  return { kind: 'permanent', status: res.status, error };
}

/** Exponential backoff with full jitter: random in [0, min(cap, base * 2^attempt)]. */
export function backoffDelayMs(attempt: number, baseMs: number, capMs: number, random: () => number = Math.random): number {
  return Math.round(random() * Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1)));
}
