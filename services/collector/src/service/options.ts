/** What a collector is given, and the defaults that fill in what was not. */
import type { PrivacyMode } from '@cctap/events';
import type { Bus, Logger, Metrics } from '@cctap/kit';
import type { Destination } from '../checkpoint/destination.js';

export interface CollectorOptions {
  /** Only `publish` is used: a JetStream bus or the in-process one. */
  bus: Pick<Bus, 'publish'>;
  /** Claude config directories (see resolveRoots); their `projects/` trees are tailed. */
  roots: readonly string[];
  stateDir: string;
  /**
   * Where `bus` delivers (a JetStream stream, a store), asked for in start(): state recorded for another
   * destination is forgotten then (checkpoint/destination.ts). Absent, or null: not checked.
   */
  destination?: () => Promise<Destination | null>;
  /** Forget the checkpoints and delivered-line records at start: every transcript is read again. */
  reset?: boolean;
  /** Already sanitized (a subject token). */
  host: string;
  user: string;
  privacy: PrivacyMode;
  labels?: Record<string, string>;
  stringCap?: number;
  /** Files whose mtime is older are skipped on first sight (no checkpoint yet). */
  since?: Date | null;
  /** Topology prefix (tests, several pipelines on one server). */
  subjectPrefix?: string;
  /** false: no fs.watch, no sweeps, no heartbeats (one-shot backfill, `--once`). Default true. */
  watch?: boolean;
  /** Period of the hot-file stat sweep: the bound on how long an appended line can wait. Default 1 s. */
  sweepMs?: number;
  /** Period of the full re-list + stat of every file (new folders, lost watch events). Default 30 s. */
  fullSweepMs?: number;
  /** A file changed (grew, or had a watch event) within this window is hot. Default 10 min. */
  hotWindowMs?: number;
  trailingMs?: number;
  /** 0 disables heartbeats. Default 30 s. */
  heartbeatMs?: number;
  readChunkBytes?: number;
  maxInFlight?: number;
  maxInFlightBytes?: number;
  batchLines?: number;
  batchBytes?: number;
  checkpointFlushMs?: number;
  /** Upper bound on waiting for in-flight batches in stop(). Default 10 s. */
  stopTimeoutMs?: number;
  /** Keep at most this many idle file descriptors open. Default 256. */
  maxOpenFiles?: number;
  /** `cctap guard`'s decisions file, published as `guard` events (guard/guard-decisions.ts); null: none. */
  guardDecisions?: string | null;
  logger?: Logger;
  metrics?: Metrics;
}

export type ResolvedOptions = Required<
  Omit<CollectorOptions, 'logger' | 'metrics' | 'since' | 'labels' | 'stringCap' | 'subjectPrefix' | 'destination'>
> &
  Pick<CollectorOptions, 'since' | 'labels' | 'stringCap' | 'subjectPrefix' | 'destination'>;

export function resolveOptions(opts: CollectorOptions): ResolvedOptions {
  return {
    bus: opts.bus,
    roots: opts.roots,
    stateDir: opts.stateDir,
    host: opts.host,
    user: opts.user,
    privacy: opts.privacy,
    since: opts.since ?? null,
    reset: opts.reset ?? false,
    ...(opts.destination ? { destination: opts.destination } : {}),
    ...(opts.labels ? { labels: opts.labels } : {}),
    ...(opts.stringCap !== undefined ? { stringCap: opts.stringCap } : {}),
    ...(opts.subjectPrefix !== undefined ? { subjectPrefix: opts.subjectPrefix } : {}),
    watch: opts.watch ?? true,
    sweepMs: opts.sweepMs ?? 1000,
    fullSweepMs: opts.fullSweepMs ?? 30_000,
    hotWindowMs: opts.hotWindowMs ?? 10 * 60_000,
    trailingMs: opts.trailingMs ?? 100,
    heartbeatMs: opts.heartbeatMs ?? 30_000,
    readChunkBytes: opts.readChunkBytes ?? 1024 * 1024,
    maxInFlight: opts.maxInFlight ?? 64,
    maxInFlightBytes: opts.maxInFlightBytes ?? 32 * 1024 * 1024,
    batchLines: opts.batchLines ?? 512,
    batchBytes: opts.batchBytes ?? 512 * 1024,
    checkpointFlushMs: opts.checkpointFlushMs ?? 200,
    stopTimeoutMs: opts.stopTimeoutMs ?? 10_000,
    maxOpenFiles: opts.maxOpenFiles ?? 256,
    guardDecisions: opts.guardDecisions ?? null,
  };
}
