/** `cctap alerts test --receiver NAME`: one synthetic alert, sent straight to a receiver (no NATS needed). */
import { stableUuid, type Alert } from '@cctap/events';
import { backoffDelayMs, sendOnce, type SendOutcome } from '../receivers/http-send.js';
import type { Receiver } from '../receivers/receiver.js';
import { idempotencyKey } from '../dispatch/alert-message.js';

export function testAlert(now: number): Alert {
  const at = new Date(now).toISOString();
  const key = `cctap-test|receiver-check|${at}`;
  return {
    v: 1,
    id: stableUuid('alert', key, 'firing', 1),
    key,
    rule: 'test-notification',
    severity: 'info',
    status: 'firing',
    seq: 1,
    summary: 'Test notification from cctap: this receiver is reachable',
    description: 'Sent by `cctap alerts test`.',
    labels: { rule: 'test-notification' },
    host: null,
    user: null,
    project: null,
    sessionId: null,
    startsAt: at,
    endsAt: null,
    updatedAt: at,
    occurrences: 1,
    evidence: {
      eventId: null,
      eventType: null,
      ts: null,
      command: null,
      filePath: null,
      findings: [],
      value: null,
      threshold: null,
    },
  };
}

/** Sends with up to `attempts` tries (Retry-After honoured up to 10 s); returns the last outcome. */
export async function sendTestNotification(receiver: Receiver, attempts = 3): Promise<SendOutcome> {
  const alert = testAlert(Date.now());
  let outcome: SendOutcome = {
    kind: 'retry',
    status: null,
    retryAfterMs: null,
    error: 'not sent',
    mayHaveReached: false,
  };
  for (let i = 1; i <= attempts; i++) {
    outcome = await sendOnce(
      receiver.request([alert], idempotencyKey(alert.key, Date.parse(alert.startsAt), 'firing', 1), Date.now()),
    );
    if (outcome.kind !== 'retry' || i === attempts) return outcome;
    await new Promise((r) =>
      setTimeout(
        r,
        Math.min(
          10_000,
          outcome.kind === 'retry' && outcome.retryAfterMs !== null
            ? outcome.retryAfterMs
            : backoffDelayMs(i, 500, 5000),
        ),
      ),
    );
  }
  return outcome;
}
