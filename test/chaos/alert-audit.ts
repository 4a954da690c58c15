/**
 * "No alert lost, duplicates only inside the counted window", from three independent records:
 *   - what the alerter decided to notify: the alerts it published to CCTAP_ALERTS (one message per
 *     notification: key, status, seq) and its durable records in the KV bucket (delivery state per receiver);
 *   - what the webhook receiver (a real node:http server in the test process) answered 2xx to;
 *   - the alerter's cctap_alerter_possible_duplicate_notifications_total, summed over its incarnations.
 * A later notification of the same alert supersedes an undelivered earlier one (the alerter sends the latest
 * state, not a queue), so "delivered" means: the receiver got that notification or a later one of the key.
 */
import type { ReceivedRequest } from '@cctap/alerter/testing';

export interface NotificationRef {
  key: string;
  status: string;
  seq: number;
}

export interface KvDelivery {
  state: string;
  seq: number;
}

export interface AlertAudit {
  /** Distinct alert keys published to CCTAP_ALERTS. */
  alertsPublished: number;
  /** Notifications published to CCTAP_ALERTS (distinct key#status#seq). */
  notificationsPublished: number;
  /** Notifications the receiver accepted (distinct), and requests it answered. */
  notificationsReceived: number;
  requests: number;
  /** Published keys whose latest notification never reached the receiver. */
  lost: string[];
  /** KV deliveries not in state sent, or sent but never received. */
  undelivered: string[];
  /** Receipts of a notification beyond its first. */
  duplicates: number;
  /** Duplicated notifications whose receipts have no alerter restart between them (retries, not crashes). */
  duplicatesWithoutRestart: string[];
  possibleDuplicatesCounted: number;
}

const ref = (n: NotificationRef) => `${n.key}#${n.status}#${n.seq}`;

export function auditAlerts(o: {
  published: readonly NotificationRef[];
  records: readonly { key: string; deliveries: Record<string, KvDelivery> }[];
  receiverName: string;
  requests: readonly ReceivedRequest[];
  possibleDuplicatesCounted: number;
  /** When the alerter was killed (ms since epoch). */
  alerterKills?: readonly number[];
}): AlertAudit {
  const receipts = new Map<string, number>();
  const receivedAt = new Map<string, number[]>();
  const maxReceived = new Map<string, number>();
  let requests = 0;
  for (const r of o.requests) {
    if (r.status < 200 || r.status >= 300) continue;
    requests += 1;
    const alerts = (r.json as { alerts?: NotificationRef[] } | null)?.alerts ?? [];
    for (const a of alerts) {
      receipts.set(ref(a), (receipts.get(ref(a)) ?? 0) + 1);
      receivedAt.set(ref(a), [...(receivedAt.get(ref(a)) ?? []), r.at]);
      maxReceived.set(a.key, Math.max(maxReceived.get(a.key) ?? 0, a.seq));
    }
  }
  const maxPublished = new Map<string, number>();
  for (const a of o.published) maxPublished.set(a.key, Math.max(maxPublished.get(a.key) ?? 0, a.seq));
  const lost = [...maxPublished]
    .filter(([key, seq]) => (maxReceived.get(key) ?? 0) < seq)
    .map(([key, seq]) => `${key} seq ${seq}`);
  const undelivered: string[] = [];
  for (const r of o.records) {
    for (const [receiver, d] of Object.entries(r.deliveries)) {
      if (receiver !== o.receiverName) continue;
      if (d.state !== 'sent') undelivered.push(`${r.key} seq ${d.seq}: ${d.state}`);
      else if ((maxReceived.get(r.key) ?? 0) < d.seq)
        undelivered.push(`${r.key} seq ${d.seq}: recorded sent, never received`);
    }
  }
  let duplicates = 0;
  for (const n of receipts.values()) duplicates += n - 1;
  const kills = o.alerterKills ?? [];
  const duplicatesWithoutRestart = [...receivedAt]
    .filter(([, at]) => at.length > 1 && !kills.some((k) => k > at[0]! && k < at[at.length - 1]!))
    .map(([id, at]) => `${id} received ${at.length}x within ${at[at.length - 1]! - at[0]!} ms`);
  return {
    alertsPublished: maxPublished.size,
    notificationsPublished: new Set(o.published.map(ref)).size,
    notificationsReceived: receipts.size,
    requests,
    lost,
    undelivered,
    duplicates,
    duplicatesWithoutRestart,
    possibleDuplicatesCounted: o.possibleDuplicatesCounted,
  };
}
