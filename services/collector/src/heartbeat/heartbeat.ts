/**
 * The collector's heartbeat: one `heartbeat` event every period on the host's raw subject, so the central
 * side can tell "quiet developer" from "dead agent". Fire and forget: a missed heartbeat is itself the signal.
 */
import { encodeBatch, heartbeatId, heartbeatMsgId, SCHEMA_VERSION, type Batch, type CctapEvent } from '@cctap/events';
import type { Bus, Logger } from '@cctap/kit';
import type { CollectorMetrics } from '../metrics.js';

export const COLLECTOR_VERSION = '0.1.0';

export interface HeartbeatOptions {
  bus: Pick<Bus, 'publish'>;
  subject: string;
  host: string;
  user: string;
  labels?: Record<string, string> | undefined;
  /** What the heartbeat reports about the collector right now. */
  stats: () => { filesWatched: number; bytesBehind: number };
  metrics: CollectorMetrics;
  logger: Logger;
}

export class Heartbeat {
  private seq = 0;
  private readonly startedAt = new Date().toISOString();

  constructor(private readonly o: HeartbeatOptions) {}

  /** The batch of heartbeat number `seq` (a one-event batch with fileId 'heartbeat'). */
  batch(seq: number): Batch {
    const { host, user, labels } = this.o;
    const ev = {
      id: heartbeatId(host, this.startedAt, seq),
      type: 'heartbeat',
      ts: new Date().toISOString(),
      tsSource: 'line',
      host,
      user,
      sessionId: '',
      agentId: null,
      sidechain: false,
      cwd: '',
      project: '',
      gitBranch: '',
      ccVersion: '',
      lineUuid: null,
      parentUuid: null,
      ...(labels ? { labels } : {}),
      source: { path: '', offset: 0 },
      payload: { agentVersion: COLLECTOR_VERSION, startedAt: this.startedAt, ...this.o.stats() },
    } satisfies CctapEvent;
    return { v: SCHEMA_VERSION, host, source: { path: '', fileId: 'heartbeat', from: seq, to: seq }, events: [ev] };
  }

  async beat(): Promise<void> {
    const b = this.batch(this.seq++);
    try {
      await this.o.bus.publish(this.o.subject, encodeBatch(b), { msgId: heartbeatMsgId(b.events[0]!.id) });
      this.o.metrics.lastHeartbeat.set(Date.now() / 1000);
    } catch (err) {
      // A missed heartbeat is itself the signal; nothing to retry.
      this.o.logger.debug('heartbeat not acknowledged', { err: (err as Error).message });
    }
  }
}
