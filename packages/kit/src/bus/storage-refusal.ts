/**
 * Whether JetStream refuses a process's publishes for lack of storage. nats-server's /healthz stays ok with a
 * full store, so the publisher has to say it: the state is set by a publish refused so (isJetStreamStoreFull)
 * and cleared by the next publish that succeeds; while it is set the process is not ready (nats-service.ts),
 * its log says so once, and `cctap_jetstream_storage_refused` is 1 (the CctapJetStreamStorageFull alert).
 */
import type { Logger } from '../log/logger.js';
import type { Metrics } from '../metrics/registry.js';
import { isJetStreamStoreFull } from '../nats/nats-errors.js';

/** The first publish refused for lack of storage since the last one that succeeded. */
export interface StorageRefusal {
  since: string;
  error: string;
}

export class StorageRefusalState {
  private refusal: StorageRefusal | null = null;
  private readonly gauge;

  constructor(
    metrics: Metrics | undefined,
    private readonly logger: Logger | undefined,
  ) {
    this.gauge = metrics?.gauge(
      'cctap_jetstream_storage_refused',
      '1 while JetStream refuses publishes for lack of storage (the last one was refused so, none succeeded since)',
    );
  }

  current(): StorageRefusal | null {
    return this.refusal;
  }

  published(): void {
    if (!this.refusal) return;
    this.logger?.info('JetStream takes publishes again', { refusedSince: this.refusal.since });
    this.refusal = null;
    this.gauge?.set(0);
  }

  failed(subject: string, err: unknown): void {
    if (this.refusal || !isJetStreamStoreFull(err)) return;
    const error = (err as Error).message;
    this.refusal = { since: new Date().toISOString(), error };
    this.gauge?.set(1);
    this.logger?.error(`JetStream has no storage for ${subject}: ${error}; not ready until a publish succeeds`);
  }
}
