/**
 * Compare-and-swap writes of JSON values to a NATS KV bucket, for the one writer of the alerter's state.
 *
 * Every write is conditional on the revision this writer last read or wrote for the key (create when it knows
 * none). A conflict means someone else wrote since: the entry is read again, and
 * - when it carries a newer fencing term than ours (a replica that took the alerter lease after us wrote it),
 *   this writer has lost the lease: the fence is told and nothing is written, now or later;
 * - otherwise (our own write whose answer was lost, or a replica of an older term writing late) our value is
 *   applied again on top of the revision just read, still by compare-and-swap.
 * Before any write the fence is asked whether this writer may still write (its lease is still trusted).
 *
 * Values carry the writer's term in `_term` (absent for an unfenced writer, `cctap up`); readers drop it.
 */
import { createHash } from 'node:crypto';
import { isRevisionMismatch } from '@cctap/kit';
import type { KV, KvEntry } from '@nats-io/kv';

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Gets issued together when the state is loaded. */
const PARALLEL_GETS = 64;
/** Conflicts tolerated on one write before it fails (and is retried by its caller). */
const MAX_CONFLICTS = 5;

/** Whether this writer may write, and the term it stamps on what it writes. */
export interface WriteFence {
  /** The fencing token: the revision the lease was taken at (0: unfenced). */
  readonly term: number;
  /** False once the lease is lost or no longer trusted: every write is then refused. */
  mayWrite(): boolean;
  /** Told when a write found a newer term stored: another replica holds the lease. */
  fenced(): void;
}

/** The KV key of a value named by an arbitrary string (KV keys allow only `[-/_=.a-zA-Z0-9]`). */
export function hashedKey(prefix: string, name: string): string {
  return `${prefix}${createHash('sha256').update(name).digest('hex').slice(0, 40)}`;
}

export const UNFENCED: WriteFence = { term: 0, mayWrite: () => true, fenced: () => undefined };

/** A write refused because this writer no longer holds the alerter lease. */
export class FencedError extends Error {
  override readonly name = 'FencedError';
}

export class CasKv {
  /** The revision of each key as this writer last saw it; absent: unknown (create). */
  readonly #revisions = new Map<string, number>();

  constructor(
    private readonly kv: KV,
    private readonly fence: WriteFence = UNFENCED,
    /** Told on every conflict (a metric). */
    private readonly onConflict: () => void = () => undefined,
  ) {}

  /** Every live entry whose key `keep` accepts, parsed (damaged entries skipped); remembers their revisions. */
  async readAll(keep: (key: string) => boolean): Promise<{ key: string; value: unknown }[]> {
    const keys: string[] = [];
    for await (const k of await this.kv.keys()) if (keep(k)) keys.push(k);
    const out: { key: string; value: unknown }[] = [];
    for (let i = 0; i < keys.length; i += PARALLEL_GETS) {
      const got = await Promise.all(keys.slice(i, i + PARALLEL_GETS).map((k) => this.kv.get(k)));
      for (const e of got) {
        if (!e) continue;
        this.#revisions.set(e.key, e.revision);
        const value = live(e);
        if (value !== undefined) out.push({ key: e.key, value: withoutTerm(value) });
      }
    }
    return out;
  }

  async put(key: string, value: object): Promise<void> {
    const term = this.fence.term;
    const bytes = enc.encode(JSON.stringify(term > 0 ? { ...value, _term: term } : value));
    for (let conflicts = 0; ;) {
      this.#check();
      const rev = this.#revisions.get(key);
      try {
        const next = rev === undefined ? await this.kv.create(key, bytes) : await this.kv.update(key, bytes, rev);
        this.#revisions.set(key, next);
        return;
      } catch (err) {
        if (!isRevisionMismatch(err) || ++conflicts > MAX_CONFLICTS) throw err;
        await this.#reread(key);
      }
    }
  }

  async delete(key: string): Promise<void> {
    for (let conflicts = 0; ;) {
      this.#check();
      let rev = this.#revisions.get(key);
      if (rev === undefined) {
        const e = await this.kv.get(key);
        if (!e || live(e) === undefined) return;
        rev = e.revision;
      }
      try {
        await this.kv.delete(key, { previousSeq: rev });
        this.#revisions.delete(key);
        return;
      } catch (err) {
        if (!isRevisionMismatch(err) || ++conflicts > MAX_CONFLICTS) throw err;
        const e = await this.#reread(key);
        // Already gone: what the delete wanted.
        if (!e || live(e) === undefined) {
          this.#revisions.delete(key);
          return;
        }
      }
    }
  }

  #check(): void {
    if (!this.fence.mayWrite()) throw new FencedError('the alerter lease is not held; state is not written');
  }

  /** Reads a key after a conflict; a newer term stored fences this writer. */
  async #reread(key: string): Promise<KvEntry | null> {
    this.onConflict();
    const e = await this.kv.get(key);
    const value = e ? live(e) : undefined;
    const stored = (value as { _term?: unknown } | undefined)?._term;
    if (typeof stored === 'number' && stored > this.fence.term) {
      this.fence.fenced();
      throw new FencedError(`state written by a newer alerter lease holder (term ${stored} > ${this.fence.term})`);
    }
    // A tombstone keeps its revision: the next write is an update at it (create would also do).
    if (e) this.#revisions.set(key, e.revision);
    else this.#revisions.delete(key);
    return e;
  }
}

/** The parsed value of a live entry (with its term), or undefined (deleted, empty, damaged). */
function live(e: KvEntry): unknown {
  if (e.operation !== 'PUT' || e.value.length === 0) return undefined;
  try {
    return JSON.parse(dec.decode(e.value)) as unknown;
  } catch {
    return undefined;
  }
}

/** A stored value as its readers know it: without the writer's term. */
function withoutTerm(v: unknown): unknown {
  if (!v || typeof v !== 'object' || !('_term' in v)) return v;
  const copy = { ...(v as Record<string, unknown>) };
  delete copy._term;
  return copy;
}
