import type { KV } from '@nats-io/kv';

export interface KvLiveEntry {
  key: string;
  value: Uint8Array;
}

/** Gets issued together: one round trip per key in turn would make a start-up read of thousands of entries slow. */
const PARALLEL_GETS = 64;

/**
 * Every live entry of a bucket: the current value of each key, without deleted or purged keys and without
 * empty values (what a delete leaves in a bucket with history). A key deleted between the listing and its
 * read is simply absent.
 */
export async function kvReadAll(kv: KV): Promise<KvLiveEntry[]> {
  const keys: string[] = [];
  for await (const k of await kv.keys()) keys.push(k);
  const out: KvLiveEntry[] = [];
  for (let i = 0; i < keys.length; i += PARALLEL_GETS) {
    const got = await Promise.all(keys.slice(i, i + PARALLEL_GETS).map((k) => kv.get(k)));
    for (const e of got) if (e && e.operation === 'PUT' && e.value.length > 0) out.push({ key: e.key, value: e.value });
  }
  return out;
}
