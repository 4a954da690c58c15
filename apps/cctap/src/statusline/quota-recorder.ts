/**
 * The `cctap up` side of quota readings: each reading of a status-line input that differs from the previous
 * reading of the same window becomes a `quota` event, published on the host's raw subject like a collector
 * batch (the validator checks it, then the analyzer, the alerter and the sink see it as any event).
 *
 * Claude Code runs the status line every few hundred milliseconds, and every session of an account reports
 * the same 5-hour and 7-day figures, so identical consecutive readings are dropped here: per window for the
 * account-wide windows, per session for the context window. The memory of the last readings is bounded.
 */
import {
  encodeBatch,
  quotaMsgId,
  quotaPayload,
  SCHEMA_VERSION,
  stableUuid,
  type Batch,
  type CctapEvent,
} from '@cctap/events';
import type { Bus, Logger } from '@cctap/kit';
import type { QuotaReport } from './quota-report.js';

export interface QuotaRecorder {
  /**
   * Publishes the readings that changed and returns how many there were, without waiting for the bus: the
   * status line must not wait for the store (a failed publish is logged and the reading sent again next time).
   * Throws TypeError / ZodError on a report that is not one.
   */
  record(report: QuotaReport): number;
}

export interface QuotaRecorderOptions {
  bus: Pick<Bus, 'publish'>;
  /** The host's raw subject (topology.subjects.raw(host)). */
  subject: string;
  host: string;
  user: string;
  labels?: Record<string, string> | undefined;
  logger: Logger;
  now?: () => number;
}

/** Windows remembered at most (one per session for context readings). */
const MAX_REMEMBERED = 10_000;

function text(v: unknown, what: string): string {
  if (typeof v !== 'string') throw new TypeError(`quota report: ${what} must be a string`);
  return v;
}

export function createQuotaRecorder(o: QuotaRecorderOptions): QuotaRecorder {
  const last = new Map<string, string>();
  const now = o.now ?? Date.now;
  return {
    record(report) {
      const sessionId = text(report.sessionId, 'sessionId');
      const cwd = text(report.cwd, 'cwd');
      const path = text(report.transcriptPath, 'transcriptPath');
      const ccVersion = text(report.ccVersion, 'ccVersion');
      if (!Array.isArray(report.readings)) throw new TypeError('quota report: readings must be an array');
      const ts = new Date(now()).toISOString();
      const events: CctapEvent[] = [];
      const changed: [string, string][] = [];
      for (const raw of report.readings) {
        const payload = quotaPayload.parse(raw);
        const key = payload.window === 'context' ? `context\u001f${sessionId}` : payload.window;
        const signature = JSON.stringify(payload);
        if (last.get(key) === signature) continue;
        changed.push([key, signature]);
        events.push({
          id: stableUuid('quota', o.host, sessionId, payload.window, ts),
          type: 'quota',
          ts,
          tsSource: 'line',
          host: o.host,
          user: o.user,
          sessionId,
          agentId: null,
          sidechain: false,
          cwd,
          project: cwd,
          gitBranch: '',
          ccVersion,
          lineUuid: null,
          parentUuid: null,
          ...(o.labels ? { labels: o.labels } : {}),
          source: { path, offset: 0 },
          payload,
        });
      }
      if (events.length === 0) return 0;
      // Remembered before the publish (two inputs at once must not both record the same change) and
      // forgotten again when it fails, so the next input sends the reading again.
      const before = changed.map(([key]) => last.get(key));
      for (const [key, signature] of changed) {
        last.delete(key);
        last.set(key, signature);
        if (last.size > MAX_REMEMBERED) last.delete(last.keys().next().value!);
      }
      const batch: Batch = {
        v: SCHEMA_VERSION,
        host: o.host,
        source: { path, fileId: 'quota', from: 0, to: 0 },
        events,
      };
      o.bus.publish(o.subject, encodeBatch(batch), { msgId: quotaMsgId(events[0]!.id) }).catch((err: unknown) => {
        o.logger.warn('quota readings not recorded', { err: (err as Error).message });
        changed.forEach(([key, signature], i) => {
          if (last.get(key) !== signature) return; // a newer reading replaced it meanwhile
          const prev = before[i];
          if (prev === undefined) last.delete(key);
          else last.set(key, prev);
        });
      });
      return events.length;
    },
  };
}
