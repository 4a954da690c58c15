/**
 * The analyzer as one of several replicas: each replica owns some of the events partitions (topology
 * EVENT_PARTITIONS; the validator writes a host's partition into the subject) and runs, per owned partition,
 * the ordinary analyzer service (analyzer-service.ts) on that partition's durable consumer `analyzer-p<k>`
 * (filtered on `<root>.events.*.<k>`) with that partition's state (partition-state-store.ts). Every event of a
 * session thus reaches one engine, and N replicas conclude exactly what one would.
 *
 * Ownership is a lease per partition (partition-leases.ts). Every `leaseMs / 4` a replica rewrites its member
 * entry, renews its leases by compare-and-swap, and moves towards its share, ceil(partitions / members):
 * - above it, it releases partitions: their service stops (stops pulling, finishes and acks the batch in
 *   hand, summarizes, publishes, saves the snapshot), and only then is the lease deleted;
 * - below it, it creates leases of free partitions, and for each one taken restores that partition's
 *   snapshot, then consumes from the first message the previous owner left unacknowledged, in stream order
 *   (what was acked is in the snapshot: a batch is saved before its ack; what was applied but not acked is
 *   skipped by each session's applied sequence).
 * Safety when a replica is cut off or stalls: a lease is trusted locally only until `2/3 leaseMs` after the
 * renewal that confirmed it was sent; past that the partition's service is stopped and a batch that still
 * arrives is refused (redelivered), while the server keeps the lease for the full `leaseMs` from that same
 * renewal. So the old owner has stopped consuming before anyone else can take the partition over. A renewal
 * that finds the lease rewritten by someone else stops the partition at once.
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { Kvm, type KV } from '@nats-io/kv';
import type { Topology } from '@cctap/events';
import {
  RetryableError,
  silentLogger,
  type Bus,
  type BusMessage,
  type ConsumeOptions,
  type JetStreamBus,
  type Service,
} from '@cctap/kit';
import { createAnalyzer, type AnalyzerOptions, type AnalyzerService } from './analyzer-service.js';
import { PartitionLeases } from './partition-leases.js';
import { PartitionStateStore } from './partition-state-store.js';

export interface PartitionedAnalyzerOptions extends Omit<AnalyzerOptions, 'bus' | 'store' | 'topology'> {
  bus: JetStreamBus;
  nc: ConstructorParameters<typeof Kvm>[0];
  topology: Topology;
  /** This replica's name in the leases (default host name, pid and a random suffix). */
  owner?: string;
  /** Lease time to live, ms, when this replica creates the lease bucket (default 15000). */
  leaseMs?: number;
}

export interface PartitionedAnalyzer extends Service {
  /** Partitions this replica consumes now. */
  owned(): number[];
}

interface Owned {
  revision: number;
  /** Monotonic time (performance.now) until which the lease is trusted (see the file comment). */
  trustedUntil: number;
  service: AnalyzerService | null;
  stopping: Promise<void> | null;
}

export const partitionConsumerName = (t: Topology, k: number) => `${t.consumer('analyzer')}-p${k}`;

/** Bucket of the partition leases, next to the analyzer's state bucket. */
export const partitionLeaseBucket = (t: Topology) => `${t.bucket('analyzer')}_leases`;

export function createPartitionedAnalyzer(o: PartitionedAnalyzerOptions): PartitionedAnalyzer {
  const t = o.topology;
  const owner = o.owner ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const log = (o.logger ?? silentLogger).child({ component: 'analyzer-partitions', owner });
  const owned = new Map<number, Owned>();
  let leases: PartitionLeases | null = null;
  let stateKv: KV | null = null;
  let round: Promise<unknown> = Promise.resolve();
  let timers: ReturnType<typeof setInterval>[] = [];
  let state: 'new' | 'running' | 'stopping' | 'stopped' = 'new';
  let members = 0;
  let lastError: string | null = null;
  const ownedGauge = o.metrics?.gauge('cctap_analyzer_partitions_owned', 'Events partitions this replica consumes');

  /** The lease of k is still ours for sure: what this replica writes for the partition may be written. */
  const leased = (k: number) => {
    const p = owned.get(k);
    return p !== undefined && performance.now() < p.trustedUntil;
  };
  /** ... and k is not being given up: a new batch may be applied. */
  const trusted = (k: number) => leased(k) && owned.get(k)!.stopping === null;

  /** The bus as one partition's analyzer sees it: its consumer is the partition's durable, guarded by the lease. */
  function partitionBus(k: number): Bus {
    return {
      // A replica paused in the middle of a batch for longer than the lease must not publish or save it when it
      // wakes: its successor has the partition (the batch is redelivered to that one instead).
      publish: (subject, data, opts) =>
        leased(k) ? o.bus.publish(subject, data, opts) : Promise.reject(new Error(`partition ${k} lease expired`)),
      consume: () => {
        throw new Error('a partition is consumed in batches');
      },
      consumeBatch: (_consumer, handler, opts?: ConsumeOptions) =>
        o.bus.consumeBatchFrom(
          'analyzer',
          partitionConsumerName(t, k),
          async (msgs: readonly BusMessage[]) => {
            // A batch that arrives once the lease can no longer be trusted goes back to the stream unapplied.
            if (!trusted(k)) throw new RetryableError(`partition ${k} is no longer held by this replica`);
            await handler(msgs);
          },
          opts,
        ),
      read: (stream, opts) => o.bus.read(stream, opts),
      close: async () => undefined,
    };
  }

  async function take(k: number, revision: number, sentAt: number): Promise<void> {
    const entry: Owned = { revision, trustedUntil: sentAt + (leases!.leaseMs * 2) / 3, service: null, stopping: null };
    owned.set(k, entry);
    try {
      await o.bus.resetPartitionConsumer('analyzer', partitionConsumerName(t, k), t.subjects.eventsPartition(k));
      // Dropped meanwhile (its lease not renewed in time): nothing to start.
      if (entry.stopping) return;
      const service = createAnalyzer({
        ...o,
        bus: partitionBus(k),
        store: new PartitionStateStore(stateKv!, k, () => leased(k)),
        logger: (o.logger ?? silentLogger).child({ partition: k }),
      });
      // Known before it starts: a drop during the start stops it (its stop waits for the start).
      entry.service = service;
      await service.start();
      if (!entry.stopping) log.info('partition taken', { partition: k, sessions: service.engine.stats().sessions });
    } catch (err) {
      log.warn('could not take the partition; releasing it', { partition: k, err });
      owned.delete(k);
      await leases!.release(k, revision);
    }
    ownedGauge?.set(owned.size);
  }

  /** Stops the partition's service (which flushes and saves), then, when `release`, gives the lease up. */
  function drop(k: number, why: string, release: boolean): Promise<void> {
    const p = owned.get(k);
    if (!p) return Promise.resolve();
    p.stopping ??= (async () => {
      log.info('partition stopping', { partition: k, why });
      await p.service?.stop(why);
      if (release) await leases!.release(k, p.revision);
      owned.delete(k);
      ownedGauge?.set(owned.size);
    })();
    return p.stopping;
  }

  async function once(): Promise<void> {
    const sentAt = performance.now();
    members = await leases!.heartbeat();
    for (const [k, p] of owned) {
      if (p.stopping) continue;
      const rev = await leases!.renew(k, p.revision);
      if (rev === null) {
        log.warn('partition lease taken by another replica; stopping it', { partition: k });
        await drop(k, 'lease lost', false);
        continue;
      }
      p.revision = rev;
      p.trustedUntil = sentAt + (leases!.leaseMs * 2) / 3;
    }
    const share = Math.ceil(t.partitions / members);
    const held = () => [...owned].filter(([, p]) => !p.stopping).map(([k]) => k);
    const extra = held()
      .sort((a, b) => b - a)
      .slice(share);
    await Promise.all(extra.map((k) => drop(k, 'rebalance', true)));
    // Start the search at a different partition per replica, so replicas starting together rarely collide.
    const start = parseInt(owner.slice(-6), 16) % t.partitions || 0;
    // Restoring takes time: past a quarter of the lease the rest waits for the next round, which renews first.
    const budgetEnd = sentAt + leases!.leaseMs / 4;
    for (let i = 0; i < t.partitions && held().length < share && state === 'running'; i++) {
      if (i > 0 && performance.now() > budgetEnd) break;
      const k = (start + i) % t.partitions;
      if (owned.has(k)) continue;
      const rev = await leases!.tryTake(k);
      if (rev !== null) await take(k, rev, sentAt);
    }
  }

  function schedule(): void {
    round = round
      .then(() => (state === 'running' ? once() : undefined))
      .then(
        () => (lastError = null),
        (err: unknown) => {
          lastError = (err as Error).message;
          log.warn('partition round failed; retrying', { err });
        },
      );
  }

  /** Stops every partition whose lease is no longer trusted (a renewal did not get through in time). */
  function fence(): void {
    for (const [k, p] of owned)
      if (!p.stopping && performance.now() >= p.trustedUntil)
        void drop(k, 'lease not renewed in time', false).catch((err: unknown) =>
          log.warn('stopping a partition failed', { partition: k, err }),
        );
  }

  return {
    name: 'analyzer',
    owned: () => [...owned.keys()].sort((a, b) => a - b),
    async start() {
      stateKv = await new Kvm(o.nc).open(t.bucket('analyzer'));
      // As many copies as the state bucket (provision --replicas): the leases must outlive a NATS node too.
      const replicas = (await stateKv.status()).replicas;
      leases = await PartitionLeases.open(o.nc, partitionLeaseBucket(t), owner, o.leaseMs ?? 15_000, replicas);
      state = 'running';
      log.info('joining', { partitions: t.partitions, leaseMs: leases.leaseMs });
      schedule();
      await round;
      timers = [setInterval(schedule, leases.leaseMs / 4), setInterval(fence, Math.max(50, leases.leaseMs / 20))];
      for (const x of timers) x.unref();
    },
    async stop(reason: string) {
      state = 'stopping';
      for (const x of timers) clearInterval(x);
      timers = [];
      await round;
      await Promise.all([...owned.keys()].map((k) => drop(k, reason, true)));
      await leases?.leave();
      state = 'stopped';
    },
    health() {
      return {
        ready: state === 'running' && lastError === null,
        details: { owner, members, partitions: [...owned.keys()].sort((a, b) => a - b), lastError },
      };
    },
  };
}
