/**
 * Where `cctap alerts` reads alerts and writes silences. Three places, one interface:
 *
 *   NATS (NATS_URL / --nats)          the KV buckets the alerter service (or `cctap up --nats`) uses
 *   a running `cctap up` on --data    over its loopback endpoint: `up` owns the alert files while it runs
 *   the alert files in --data         `<data>/alerter/*.jsonl` when no `up` runs there
 *
 * `storeAccess` serves the first and the last, and the loopback side of the second (with the running
 * alerter, so a silence applies at once and a test goes to the receivers `up` was started with).
 */
import { join } from 'node:path';
import type { AlertRecord, AlertStateStore, Receiver, SendOutcome, Silence, SilenceStore } from '@cctap/alerter';
import { sendTestNotification } from '@cctap/alerter';
import { askRunningUp } from '../up/query-client.js';

/** The directory of the alert files of a data directory. */
export const alertFilesDir = (dataDir: string): string => join(dataDir, 'alerter');

export interface AlertAccess {
  alerts(): Promise<AlertRecord[]>;
  silences(): Promise<Silence[]>;
  putSilence(s: Silence): Promise<void>;
  /** Sends a test notification to a receiver the running alerter has; null when this place has none. */
  test(receiver: string): Promise<SendOutcome | { kind: 'unknown-receiver'; known: string[] } | null>;
}

/** The running alerter, as `up` hands it to its loopback endpoint. */
export interface LiveAlerter {
  refreshSilences(): Promise<void>;
  receivers(): readonly Receiver[];
}

export function storeAccess(
  stores: { alerts: Pick<AlertStateStore, 'load'>; silences: SilenceStore },
  live?: LiveAlerter,
): AlertAccess {
  return {
    alerts: () => stores.alerts.load(),
    silences: () => stores.silences.list(),
    async putSilence(s) {
      await stores.silences.put(s);
      await live?.refreshSilences();
    },
    async test(name) {
      if (!live) return null;
      const r = live.receivers().find((x) => x.name === name);
      if (!r) return { kind: 'unknown-receiver', known: live.receivers().map((x) => x.name) };
      return sendTestNotification(r);
    },
  };
}

/** The `cctap up` serving `dataDir`, or null when none runs there. */
export async function runningUpAccess(dataDir: string): Promise<AlertAccess | null> {
  const probe = await askRunningUp<AlertRecord[]>(dataDir, { op: 'alerts' });
  if (!probe.answered) return null;
  const ask = async <T>(q: Parameters<typeof askRunningUp>[1]): Promise<T> => {
    const a = await askRunningUp<T>(dataDir, q);
    if (!a.answered) throw new Error(`cctap up on ${dataDir} went away`);
    return a.result;
  };
  return {
    alerts: async () => probe.result,
    silences: () => ask<Silence[]>({ op: 'silences' }),
    putSilence: async (silence) => {
      await ask<null>({ op: 'silence', silence });
    },
    test: (receiver) => ask({ op: 'alertTest', receiver }),
  };
}
