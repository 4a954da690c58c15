/**
 * The alerter as one of several replicas: one active, the others hot standbys. The alerter is a single writer
 * (threshold windows, absence timers and delivery state must see every event of a group in order), so only the
 * holder of the `leader` lease in the bucket `<alerts bucket>_lease` (the kit's KvLeases) consumes, evaluates
 * and delivers; a standby only tries to take the lease.
 *
 * - Every `leaseMs / 4` the holder renews by compare-and-swap, and a standby tries to create the lease.
 * - Taking it over builds a fresh alerter for the term (the lease's revision, which only grows from holder to
 *   holder): it restores the alert records and the engine's windows and absence timers from KV before it
 *   consumes, so a firing alert is not fired again and absence timers continue. The durable consumers hold
 *   what the previous holder had not acked. The renewals go on while it starts (restoring can take longer than
 *   the lease is trusted), and a step-down during the start stops it once started.
 * - The lease is trusted locally only until `2/3 leaseMs` after the renewal that confirmed it was sent, while
 *   the server keeps it for the full `leaseMs` from that same renewal: past that trust (or when a renewal finds
 *   the lease rewritten, or a write finds a newer term stored) the alerter stops and its state writes are
 *   refused (cas-kv.ts), so the old holder has stopped writing before anyone else can take over.
 * - A graceful stop (SIGTERM, a rolling update) stops the alerter, which flushes its writes, then deletes the
 *   lease, so a standby takes over at its next try instead of after the TTL.
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Topology } from '@cctap/events';
import { KvLeases, silentLogger, type Logger, type Metrics, type Service } from '@cctap/kit';
import { Kvm } from '@nats-io/kv';
import type { AlerterService } from '../service/create-alerter.js';
import type { WriteFence } from '../state/cas-kv.js';

const LEASE = 'leader';

export interface AlerterReplicaOptions {
  nc: ConstructorParameters<typeof Kvm>[0];
  topology: Topology;
  /** Builds the alerter of one lease term; its state stores must write under `fence`, telling `onConflict`. */
  build: (fence: WriteFence, onConflict: () => void) => Promise<AlerterService> | AlerterService;
  /** This replica's name in the lease (default host name, pid and a random suffix). */
  owner?: string;
  /** Lease time to live, ms, when this replica creates the lease bucket (default 15000). */
  leaseMs?: number;
  metrics?: Metrics;
  logger?: Logger;
}

interface Term {
  revision: number;
  /** The fencing token: the revision the lease was taken at. */
  term: number;
  /** Monotonic time (performance.now) until which the lease is trusted. */
  trustedUntil: number;
  /** Set once the lease is known lost: nothing more is written. */
  lost: boolean;
  alerter: AlerterService | null;
  stopping: Promise<void> | null;
}

/** Bucket of the alerter lease, next to the alert records. */
const alerterLeaseBucket = (t: Topology) => `${t.bucket('alerts')}_lease`;

/** A kit `Service`; its health tells its role (active or standby) and, when active, the alerter's details. */
export function createAlerterReplica(o: AlerterReplicaOptions): Service {
  const owner = o.owner ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const log = (o.logger ?? silentLogger).child({ component: 'alerter-lease', owner });
  const leader = o.metrics?.gauge(
    'cctap_alerter_leader',
    'Whether this alerter replica is the active one (1) or a standby (0)',
  );
  const takeovers = o.metrics?.counter(
    'cctap_alerter_lease_takeovers_total',
    'Times this replica took the alerter lease and became the active alerter',
  );
  const conflicts = o.metrics?.counter(
    'cctap_alerter_state_write_conflicts_total',
    'Alert state writes whose compare-and-swap found another revision (re-read, then applied again or fenced)',
  );
  leader?.set(0);
  let leases: KvLeases | null = null;
  let held: Term | null = null;
  let renewing: Promise<number | null> | null = null;
  let state: 'new' | 'running' | 'stopping' | 'stopped' = 'new';
  let round: Promise<unknown> = Promise.resolve();
  /** The latest takeover: building and starting a term's alerter, alongside the renewal rounds. */
  let starting: Promise<void> = Promise.resolve();
  let timers: ReturnType<typeof setInterval>[] = [];
  let lastError: string | null = null;

  const trustFrom = (sentAt: number) => sentAt + (leases!.leaseMs * 2) / 3;

  /** Stops the term's alerter; `release` (a graceful stop) then gives the lease up, else it is lost already. */
  function stepDown(why: string, release: boolean): Promise<void> {
    const h = held;
    if (!h) return Promise.resolve();
    if (!release) h.lost = true;
    h.stopping ??= (async () => {
      log.info(release ? 'handing the alerter lease over' : 'alerter lease lost; standing by', { why, term: h.term });
      try {
        await h.alerter?.stop(why);
      } catch (err) {
        log.warn('stopping the alerter failed', { err });
      }
      h.lost = true;
      // A renewal in flight would move the revision the release must name.
      await renewing?.catch(() => undefined);
      if (release) await leases!.release(LEASE, h.revision);
      if (held === h) held = null;
      leader?.set(0);
    })();
    return h.stopping;
  }

  async function takeOver(revision: number, sentAt: number): Promise<void> {
    const h: Term = {
      revision,
      term: revision,
      trustedUntil: trustFrom(sentAt),
      lost: false,
      alerter: null,
      stopping: null,
    };
    held = h;
    const fence: WriteFence = {
      term: h.term,
      mayWrite: () => !h.lost && performance.now() < h.trustedUntil,
      fenced: () => {
        h.lost = true;
        // Only this term's alerter stops (a late write of an earlier term must not stop a later one).
        if (held === h) void stepDown('a newer lease holder wrote the alerter state', false);
      },
    };
    try {
      const alerter = await o.build(fence, () => conflicts?.inc());
      // A term stepped down while its alerter was being built never starts it.
      if (h.lost || h.stopping) return;
      h.alerter = alerter;
      await alerter.start();
      takeovers?.inc();
      leader?.set(1);
      log.info('alerter lease taken; this replica is active', {
        term: h.term,
        alerts: alerter.dispatcher.records.size,
      });
    } catch (err) {
      lastError = (err as Error).message;
      log.warn('could not start the alerter after taking the lease; giving it up', { err });
      await stepDown('start failed', true);
    }
  }

  async function once(): Promise<void> {
    const sentAt = performance.now();
    const h = held;
    if (h) {
      // While a graceful stop flushes, the lease is still renewed: its writes need it.
      if (h.lost) return;
      // The revision moves as soon as the renewal answers: a release waiting for it names the new one.
      const renewal = leases!.renew(LEASE, h.revision).then((rev) => {
        if (rev !== null) {
          h.revision = rev;
          h.trustedUntil = trustFrom(sentAt);
        }
        return rev;
      });
      renewing = renewal;
      const rev = await renewal.finally(() => (renewing = null));
      if (rev === null) {
        log.warn('alerter lease taken by another replica');
        await stepDown('lease taken by another replica', false);
      }
      return;
    }
    if (state !== 'running') return;
    const rev = await leases!.tryTake(LEASE);
    // Not awaited by the round: restoring the alerter's state can outlast the lease's trust, and the renewals
    // of the next rounds keep the lease while it starts. A stop waits for it (stop() below).
    if (rev !== null) starting = takeOver(rev, sentAt);
  }

  function schedule(): void {
    round = round
      .then(() => (state === 'running' || state === 'stopping' ? once() : undefined))
      .then(
        () => (lastError = null),
        (err: unknown) => {
          lastError = (err as Error).message;
          log.warn('alerter lease round failed; retrying', { err });
        },
      );
  }

  /** Stops the alerter once its lease is no longer trusted (a renewal did not get through in time). */
  function fence(): void {
    const h = held;
    if (h && !h.stopping && performance.now() >= h.trustedUntil)
      void stepDown('lease not renewed in time', false).catch((err: unknown) =>
        log.warn('stopping the alerter failed', { err }),
      );
  }

  return {
    name: 'alerter',
    async start() {
      const alerts = await new Kvm(o.nc).open(o.topology.bucket('alerts'));
      // As many copies as the alerts bucket (provision --replicas): the lease must outlive a NATS node too.
      const replicas = (await alerts.status()).replicas;
      leases = await KvLeases.open(o.nc, alerterLeaseBucket(o.topology), owner, o.leaseMs ?? 15_000, replicas);
      state = 'running';
      log.info('joining', { leaseMs: leases.leaseMs });
      schedule();
      await round;
      timers = [setInterval(schedule, leases.leaseMs / 4), setInterval(fence, Math.max(50, leases.leaseMs / 20))];
      for (const x of timers) x.unref();
      // Started once the first takeover (if the lease was free) has: the renewals above keep it meanwhile.
      await starting;
    },
    async stop(reason: string) {
      // Renewals go on while the alerter flushes its writes; no new term is taken.
      state = 'stopping';
      await round;
      await starting;
      await stepDown(reason, true);
      for (const x of timers) clearInterval(x);
      timers = [];
      await round;
      state = 'stopped';
    },
    health() {
      const h = held;
      const active = h?.alerter && !h.lost ? h.alerter.health() : null;
      return {
        // A standby is healthy: it is ready to take over.
        ready: state === 'running' && lastError === null && (active?.ready ?? true),
        details: {
          role: active ? 'active' : 'standby',
          owner,
          term: h?.term ?? null,
          lastError,
          ...(active ? active.details : {}),
        },
      };
    },
  };
}
