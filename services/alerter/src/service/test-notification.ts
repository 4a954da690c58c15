/** `cctap alerts test --receiver NAME`: one synthetic alert, sent straight to a receiver (no NATS needed). */
import { stableUuid, type Alert } from '@cctap/events';
import { backoffDelay, sleep } from '@cctap/kit';
import { sendOnce, type SendOutcome } from '../receivers/http-send.js';
import type { Receiver } from '../receivers/receiver.js';
import { idempotencyKey, syntheticAlert } from '../dispatch/alert-message.js';

function testAlert(now: number): Alert {
  const at = new Date(now).toISOString();
  const key = `cctap-test|receiver-check|${at}`;
  return syntheticAlert({
    id: stableUuid('alert', key, 'firing', 1),
    key,
    rule: 'test-notification',
    severity: 'info',
    summary: 'Test notification from cctap: this receiver is reachable',
    description: 'Sent by `cctap alerts test`.',
    labels: { rule: 'test-notification' },
    occurrences: 1,
    at: now,
  });
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
    await sleep(
      Math.min(10_000, outcome.retryAfterMs ?? backoffDelay(i, { baseMs: 500, capMs: 5000, jitter: 'full' })),
    );
  }
  return outcome;
}
