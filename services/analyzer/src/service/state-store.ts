/**
 * Where the analyzer keeps its state between runs. Choice: snapshots in NATS KV (bucket
 * `topology().bucket('analyzer')`, created by `cctap provision`), not a rebuild from a stream position:
 * sessions last hours to days and baselines weeks, far longer than any replay we would want at start-up,
 * and a replay would need to know which derived events it had already emitted. Instead the service
 * writes the sessions a batch changed before it acks that batch (see analyzer-service.ts), so
 * snapshot + unacked messages is always the whole truth.
 *
 * One KV entry per session (`s_<hash>`) and one per user baseline (`b_<hash>`), so an entry stays far below
 * the NATS payload limit and a batch writes only what it touched. Each session records the highest stream
 * sequence applied to it; that, not a single global cursor, is what makes the multi-key write safe: a crash
 * half-way leaves some sessions ahead, and the redelivered messages are skipped for exactly those.
 */
import { createHash } from 'node:crypto';
import { kvReadAll } from '@cctap/kit';
import { Kvm, type KV } from '@nats-io/kv';
import type { SnapshotDelta } from '../core/engine.js';

export interface StoredState {
  sessions: string[];
  baselines: string[];
}

export interface AnalyzerStateStore {
  /** True: nothing is kept, so the service does not serialize the sessions a batch changed (NO_STATE_STORE). */
  readonly keepsNothing?: boolean;
  load(): Promise<StoredState>;
  save(delta: SnapshotDelta): Promise<void>;
}

const hash = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 40);
export const sessionEntryKey = (sessionKey: string) => `s_${hash(sessionKey)}`;
export const baselineEntryKey = (user: string) => `b_${hash(user)}`;

/**
 * Keeps nothing, for a process that is its state's whole life: `cctap up` without NATS reads nothing back
 * after it ends and never restarts its analyzer in place. Keeping snapshots there cost, on every batch, the
 * JSON of each session the batch changed, and held one copy of every session's state beside the live one
 * (~26 MB of a 1 GB backfill's ~200 MB heap, ~3,000 sessions).
 */
export const NO_STATE_STORE: AnalyzerStateStore = {
  keepsNothing: true,
  load: () => Promise.resolve({ sessions: [], baselines: [] }),
  save: () => Promise.resolve(),
};

/** In-process state (tests): survives a service restart, not the process. */
export class MemoryStateStore implements AnalyzerStateStore {
  readonly entries = new Map<string, string>();
  async load(): Promise<StoredState> {
    const sessions: string[] = [];
    const baselines: string[] = [];
    for (const [k, v] of this.entries) (k.startsWith('s_') ? sessions : baselines).push(v);
    return { sessions, baselines };
  }
  async save(d: SnapshotDelta): Promise<void> {
    for (const [k, v] of d.upserts) this.entries.set(sessionEntryKey(k), v);
    for (const k of d.deletes) this.entries.delete(sessionEntryKey(k));
    for (const [u, v] of d.baselines) this.entries.set(baselineEntryKey(u), v);
  }
}

const enc = new TextEncoder();
const dec = new TextDecoder();

export class KvStateStore implements AnalyzerStateStore {
  constructor(private readonly kv: KV) {}

  async load(): Promise<StoredState> {
    const out: StoredState = { sessions: [], baselines: [] };
    for (const e of await kvReadAll(this.kv)) {
      if (e.key.startsWith('s_')) out.sessions.push(dec.decode(e.value));
      else if (e.key.startsWith('b_')) out.baselines.push(dec.decode(e.value));
    }
    return out;
  }

  async save(d: SnapshotDelta): Promise<void> {
    const writes: Promise<unknown>[] = [];
    for (const [k, v] of d.upserts) writes.push(this.kv.put(sessionEntryKey(k), enc.encode(v)));
    for (const [u, v] of d.baselines) writes.push(this.kv.put(baselineEntryKey(u), enc.encode(v)));
    for (const k of d.deletes) writes.push(this.kv.purge(sessionEntryKey(k)));
    await Promise.all(writes);
  }
}

/** Merges a newer delta into one not yet saved (a failed save is retried with everything since). */
export function mergeDeltas(older: SnapshotDelta | null, newer: SnapshotDelta): SnapshotDelta {
  if (!older) return newer;
  const upserts = new Map(older.upserts);
  const deletes = new Set(older.deletes);
  for (const [k, v] of newer.upserts) {
    upserts.set(k, v);
    deletes.delete(k);
  }
  for (const k of newer.deletes) {
    upserts.delete(k);
    deletes.add(k);
  }
  return { upserts, deletes: [...deletes], baselines: new Map([...older.baselines, ...newer.baselines]) };
}

/** Opens the analyzer bucket (created by `cctap provision`) as a state store. */
export async function openKvStateStore(
  nc: ConstructorParameters<typeof Kvm>[0],
  bucket: string,
): Promise<KvStateStore> {
  return new KvStateStore(await new Kvm(nc).open(bucket));
}
