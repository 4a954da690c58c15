/**
 * The state of one events partition in the analyzer bucket: the same entries as KvStateStore (one per
 * session, one per user baseline), under the key prefix `p<partition>.`, so the replica that takes a
 * partition over reads that partition's snapshot and nothing else. A user seen on hosts of two partitions
 * has one baseline in each.
 */
import type { KV } from '@nats-io/kv';
import type { SnapshotDelta } from '../core/engine.js';
import { baselineEntryKey, sessionEntryKey, type AnalyzerStateStore, type StoredState } from './state-store.js';

/** Gets issued together when a partition is restored. */
const PARALLEL_GETS = 64;

const enc = new TextEncoder();
const dec = new TextDecoder();

export class PartitionStateStore implements AnalyzerStateStore {
  private readonly prefix: string;

  constructor(
    private readonly kv: KV,
    private readonly partition: number,
    /** Whether this replica still holds the partition's lease: a save after it ran out is refused. */
    private readonly leased: () => boolean = () => true,
  ) {
    this.prefix = `p${partition}.`;
  }

  async load(): Promise<StoredState> {
    const keys: string[] = [];
    for await (const k of await this.kv.keys(`${this.prefix}>`)) keys.push(k);
    const out: StoredState = { sessions: [], baselines: [] };
    for (let i = 0; i < keys.length; i += PARALLEL_GETS) {
      const got = await Promise.all(keys.slice(i, i + PARALLEL_GETS).map((k) => this.kv.get(k)));
      for (const e of got) {
        if (!e || e.operation !== 'PUT' || e.value.length === 0) continue;
        const name = e.key.slice(this.prefix.length);
        if (name.startsWith('s_')) out.sessions.push(dec.decode(e.value));
        else if (name.startsWith('b_')) out.baselines.push(dec.decode(e.value));
      }
    }
    return out;
  }

  async save(d: SnapshotDelta): Promise<void> {
    if (!this.leased()) throw new Error(`partition ${this.partition} lease expired; its state is not saved`);
    const p = this.prefix;
    const writes: Promise<unknown>[] = [];
    for (const [k, v] of d.upserts) writes.push(this.kv.put(p + sessionEntryKey(k), enc.encode(v)));
    for (const [u, v] of d.baselines) writes.push(this.kv.put(p + baselineEntryKey(u), enc.encode(v)));
    for (const k of d.deletes) writes.push(this.kv.purge(p + sessionEntryKey(k)));
    await Promise.all(writes);
  }
}
