/**
 * Leases on the events partitions, in a NATS KV bucket whose entries expire (the kit's KvLeases):
 *
 *   p.<k>       the owner of partition k (taken with create, renewed by compare-and-swap, released at the
 *               revision this owner last wrote).
 *   m.<owner>   one entry per running replica, rewritten at every renewal: the live member count, from which
 *               each replica's share is ceil(partitions / members).
 */
import { KvLeases } from '@cctap/kit';

type Nc = Parameters<typeof KvLeases.open>[0];

const partitionLeaseKey = (k: number) => `p.${k}`;

export class PartitionLeases {
  private constructor(private readonly leases: KvLeases) {}

  get owner(): string {
    return this.leases.owner;
  }

  /** The bucket's TTL: how long an entry lives without being rewritten. */
  get leaseMs(): number {
    return this.leases.leaseMs;
  }

  /** Opens the lease bucket (created with `leaseMs` as its TTL when missing; an existing one keeps its TTL). */
  static async open(nc: Nc, bucket: string, owner: string, leaseMs: number, replicas = 1): Promise<PartitionLeases> {
    return new PartitionLeases(await KvLeases.open(nc, bucket, owner, leaseMs, replicas));
  }

  /** Rewrites this replica's member entry; returns how many replicas are alive (this one included). */
  heartbeat(): Promise<number> {
    return this.leases.heartbeat();
  }

  /** Takes partition k if nobody holds it: the lease's revision, or null. */
  tryTake(k: number): Promise<number | null> {
    return this.leases.tryTake(partitionLeaseKey(k));
  }

  /** Renews a held lease at its revision: the new revision, or null when it is no longer ours. */
  renew(k: number, revision: number): Promise<number | null> {
    return this.leases.renew(partitionLeaseKey(k), revision);
  }

  /** Gives a lease up (only if still ours), so another replica may take it at once. */
  release(k: number, revision: number): Promise<void> {
    return this.leases.release(partitionLeaseKey(k), revision);
  }

  /** Removes this replica's member entry (a graceful stop), so the others' share grows at once. */
  leave(): Promise<void> {
    return this.leases.leave();
  }

  /** Who holds partition k now (null: free). */
  holder(k: number): Promise<string | null> {
    return this.leases.holder(partitionLeaseKey(k));
  }
}
