/**
 * Leases in a NATS KV bucket whose entries expire (bucket TTL = the lease), for replicas that must agree on
 * who does a piece of work:
 *
 *   <name>           the holder of lease `name`; taken with create (fails when it exists), renewed with update
 *                    at the revision this holder last wrote (compare-and-swap: fails once anyone else wrote
 *                    it), released with a delete at that revision.
 *   m.<owner>        one entry per running replica (`heartbeat`), rewritten at every renewal: how many replicas
 *                    are alive.
 *
 * A holder that stops renewing (killed, cut off) loses its entries when the TTL runs out; the others then
 * create them. The revision a lease was taken at only grows from one holder to the next, so it doubles as a
 * fencing token: a writer can stamp it on what it writes and anyone can tell an older holder's writes apart.
 * Works on nats-server 2.9 (no per-message TTL needed).
 */
import { Kvm, type KV } from '@nats-io/kv';
import { isRevisionMismatch } from './nats-errors.js';

const enc = new TextEncoder();
const dec = new TextDecoder();

const memberKey = (owner: string) => `m.${owner.replace(/[^A-Za-z0-9_-]/g, '_')}`;

export class KvLeases {
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
  ): Promise<KvLeases> {
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
    return new KvLeases(kv, owner, ttl > 0 ? ttl : leaseMs);
  }

  /** Takes lease `name` if nobody holds it: the lease's revision, or null. */
  async tryTake(name: string): Promise<number | null> {
    return this.kv.create(name, enc.encode(this.owner)).catch(() => null);
  }

  /** Renews a held lease at its revision: the new revision, or null when it is no longer ours. */
  async renew(name: string, revision: number): Promise<number | null> {
    return this.kv.update(name, enc.encode(this.owner), revision).catch((err: unknown) => {
      if (isRevisionMismatch(err)) return null;
      throw err;
    });
  }

  /** Gives a lease up (only if still ours), so another replica may take it at once. */
  async release(name: string, revision: number): Promise<void> {
    await this.kv.delete(name, { previousSeq: revision }).catch(() => undefined);
  }

  /** Who holds lease `name` now (null: free). */
  async holder(name: string): Promise<string | null> {
    const e = await this.kv.get(name);
    return e && e.operation === 'PUT' && e.value.length > 0 ? dec.decode(e.value) : null;
  }

  /** Rewrites this replica's member entry; returns how many replicas are alive (this one included). */
  async heartbeat(): Promise<number> {
    await this.kv.put(memberKey(this.owner), enc.encode(String(Date.now())));
    let n = 0;
    for await (const k of await this.kv.keys('m.*')) if (k) n += 1;
    return Math.max(n, 1);
  }

  /** Removes this replica's member entry (a graceful stop), so the others see it gone at once. */
  async leave(): Promise<void> {
    await this.kv.delete(memberKey(this.owner)).catch(() => undefined);
  }
}
