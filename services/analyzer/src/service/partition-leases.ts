/**
 * Leases on the events partitions, in a NATS KV bucket whose entries expire (bucket TTL = the lease):
 *
 *   p.<k>       the owner of partition k; taken with create (fails when it exists), renewed with update at
 *               the revision this owner last wrote (compare-and-swap: fails once anyone else wrote it),
 *               released with a delete at that revision.
 *   m.<owner>   one entry per running replica, rewritten at every renewal: the live member count, from which
 *               each replica's share is ceil(partitions / members).
 *
 * A replica that stops renewing (killed, cut off) loses its entries when the TTL runs out; the others then
 * create them. Works on nats-server 2.9 (no per-message TTL needed).
 */
import { Kvm, type KV } from '@nats-io/kv';

const enc = new TextEncoder();
const dec = new TextDecoder();

const partitionLeaseKey = (k: number) => `p.${k}`;
const memberKey = (owner: string) => `m.${owner.replace(/[^A-Za-z0-9_-]/g, '_')}`;

export class PartitionLeases {
  private constructor(
    private readonly kv: KV,
    readonly owner: string,
    /** The bucket's TTL: how long an entry lives without being rewritten. */
    readonly leaseMs: number,
  ) {}

  /**
   * Opens the lease bucket, creating it with `leaseMs` as its TTL when it does not exist yet. An existing
   * bucket keeps its TTL, and that is the lease every replica uses (they must agree on it).
   */
  static async open(
    nc: ConstructorParameters<typeof Kvm>[0],
    bucket: string,
    owner: string,
    leaseMs: number,
    replicas = 1,
  ): Promise<PartitionLeases> {
    const kvm = new Kvm(nc);
    let kv: KV;
    try {
      kv = await kvm.open(bucket);
      await kv.status();
    } catch (err) {
      if (!/not found/i.test((err as Error).message)) throw err;
      kv = await kvm.create(bucket, { history: 1, ttl: leaseMs, replicas });
    }
    const ttl = (await kv.status()).ttl;
    return new PartitionLeases(kv, owner, ttl > 0 ? ttl : leaseMs);
  }

  /** Rewrites this replica's member entry; returns how many replicas are alive (this one included). */
  async heartbeat(): Promise<number> {
    await this.kv.put(memberKey(this.owner), enc.encode(String(Date.now())));
    let n = 0;
    for await (const k of await this.kv.keys('m.*')) if (k) n += 1;
    return Math.max(n, 1);
  }

  /** Takes partition k if nobody holds it: the lease's revision, or null. */
  async tryTake(k: number): Promise<number | null> {
    return this.kv.create(partitionLeaseKey(k), enc.encode(this.owner)).catch(() => null);
  }

  /** Renews a held lease at its revision: the new revision, or null when it is no longer ours. */
  async renew(k: number, revision: number): Promise<number | null> {
    return this.kv.update(partitionLeaseKey(k), enc.encode(this.owner), revision).catch((err: unknown) => {
      if (isRevisionMismatch(err)) return null;
      throw err;
    });
  }

  /** Gives a lease up (only if still ours), so another replica may take it at once. */
  async release(k: number, revision: number): Promise<void> {
    await this.kv.delete(partitionLeaseKey(k), { previousSeq: revision }).catch(() => undefined);
  }

  /** Removes this replica's member entry (a graceful stop), so the others' share grows at once. */
  async leave(): Promise<void> {
    await this.kv.delete(memberKey(this.owner)).catch(() => undefined);
  }

  /** Who holds partition k now (null: free). */
  async holder(k: number): Promise<string | null> {
    const e = await this.kv.get(partitionLeaseKey(k));
    return e && e.operation === 'PUT' && e.value.length > 0 ? dec.decode(e.value) : null;
  }
}

/** The server's "wrong last sequence" answer to a compare-and-swap write (JetStream error 10071). */
function isRevisionMismatch(err: unknown): boolean {
  const e = err as { api_error?: { err_code?: number }; message?: string; cause?: unknown };
  return e.api_error?.err_code === 10071 || /wrong last sequence/i.test(e.message ?? '');
}
