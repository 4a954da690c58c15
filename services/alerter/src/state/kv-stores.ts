/**
 * NATS KV implementations of the alert and silence stores (buckets `topology().bucket('alerts' | 'silences')`,
 * created by `cctap provision`). KV keys are hashes of the alert key (alert keys hold arbitrary label values;
 * KV keys allow only `[-/_=.a-zA-Z0-9]`); the record itself carries the full key.
 */
import { createHash } from 'node:crypto';
import type { Topology } from '@cctap/events';
import { kvReadAll } from '@cctap/kit';
import { Kvm, type KV } from '@nats-io/kv';
import type { AlertRecord, AlertStateStore } from './alert-record.js';
import type { Silence, SilenceStore } from './silences.js';

const enc = new TextEncoder();
const dec = new TextDecoder();

function kvKeyOf(alertKey: string): string {
  return `a_${createHash('sha256').update(alertKey).digest('hex').slice(0, 40)}`;
}

async function readAll<T>(kv: KV): Promise<T[]> {
  const out: T[] = [];
  for (const e of await kvReadAll(kv)) {
    try {
      out.push(JSON.parse(dec.decode(e.value)) as T);
    } catch {
      // A foreign or damaged entry: skip it rather than refuse to start.
    }
  }
  return out;
}

export class KvAlertStateStore implements AlertStateStore {
  constructor(private readonly kv: KV) {}
  load(): Promise<AlertRecord[]> {
    return readAll<AlertRecord>(this.kv);
  }
  async put(record: AlertRecord): Promise<void> {
    await this.kv.put(kvKeyOf(record.key), enc.encode(JSON.stringify(record)));
  }
  async delete(key: string): Promise<void> {
    await this.kv.delete(kvKeyOf(key));
  }
}

export class KvSilenceStore implements SilenceStore {
  constructor(private readonly kv: KV) {}
  list(): Promise<Silence[]> {
    return readAll<Silence>(this.kv);
  }
  async put(s: Silence): Promise<void> {
    await this.kv.put(s.id, enc.encode(JSON.stringify(s)));
  }
  async delete(id: string): Promise<void> {
    await this.kv.delete(id);
  }
}

export class MissingBucketError extends Error {
  override readonly name = 'MissingBucketError';
}

/** Opens the alert and silence stores of a topology; the buckets are created by `cctap provision`. */
export async function openKvStores(
  nc: ConstructorParameters<typeof Kvm>[0],
  t: Topology,
): Promise<{ alerts: KvAlertStateStore; silences: KvSilenceStore }> {
  const kvm = new Kvm(nc);
  const open = async (key: 'alerts' | 'silences') => {
    try {
      return await kvm.open(t.bucket(key));
    } catch (err) {
      throw new MissingBucketError(
        `KV bucket ${t.bucket(key)} is not there (run \`cctap provision\`): ${(err as Error).message}`,
      );
    }
  };
  return { alerts: new KvAlertStateStore(await open('alerts')), silences: new KvSilenceStore(await open('silences')) };
}
