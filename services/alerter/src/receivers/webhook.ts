/**
 * Generic webhook receiver. Body: `{ version: 1, receiver, idempotencyKey, alerts: [Alert…] }` (alert.ts).
 *
 * Headers:
 *   Idempotency-Key     `<alert key>@<episode start ms>#<status>#<sequence>` (one alert), or `batch-<hash>` of those (several);
 *                       each alert in the body also carries its own `id` for finer dedup
 *   X-Cctap-Timestamp   unix seconds when the request was signed
 *   X-Cctap-Signature   `v1=` + hex HMAC-SHA256(secret, `<timestamp>.<raw body>`)
 *
 * To verify (see verifySignature): recompute the HMAC over the timestamp header, a dot and the raw body bytes,
 * compare in constant time, and reject timestamps older than a few minutes (replay protection).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Alert } from '@cctap/events';
import { DEFAULT_LIMITS, type Receiver, type ReceiverLimits } from './receiver.js';

export interface WebhookReceiverOptions {
  name: string;
  url: string;
  secret?: string | undefined;
  timeoutMs?: number;
  minIntervalMs?: number;
  headers?: Record<string, string>;
  limits?: ReceiverLimits;
}

function sign(secret: string, timestamp: string, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** What a receiving service does with our headers. `toleranceS` bounds replays. */
export function verifySignature(opts: {
  secret: string;
  timestamp: string;
  signature: string;
  body: string;
  nowS?: number;
  toleranceS?: number;
}): boolean {
  const now = opts.nowS ?? Math.floor(Date.now() / 1000);
  const ts = Number(opts.timestamp);
  if (!Number.isInteger(ts) || Math.abs(now - ts) > (opts.toleranceS ?? 300)) return false;
  const expected = Buffer.from(sign(opts.secret, opts.timestamp, opts.body));
  const given = Buffer.from(opts.signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

export function createWebhookReceiver(o: WebhookReceiverOptions): Receiver {
  return {
    name: o.name,
    type: 'webhook',
    minIntervalMs: o.minIntervalMs ?? 0,
    limits: o.limits ?? DEFAULT_LIMITS,
    maxAlertsPerRequest: 100,
    request(alerts: readonly Alert[], idempotencyKey: string, now: number) {
      const body = JSON.stringify({ version: 1, receiver: o.name, idempotencyKey, alerts });
      const timestamp = String(Math.floor(now / 1000));
      const headers: Record<string, string> = {
        ...o.headers,
        'idempotency-key': idempotencyKey,
        'x-cctap-timestamp': timestamp,
      };
      if (o.secret) headers['x-cctap-signature'] = sign(o.secret, timestamp, body);
      return { url: o.url, headers, body, timeoutMs: o.timeoutMs ?? 10_000 };
    },
  };
}
