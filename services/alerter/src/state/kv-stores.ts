/**
 * NATS KV implementations of the alert and silence stores (buckets `topology().bucket('alerts' | 'silences')`,
 * created by `cctap provision`). KV keys are hashes of the alert key (alert keys hold arbitrary label values;
 * KV keys allow only `[-/_=.a-zA-Z0-9]`); the record itself carries the full key. Alert records are `a_<hash>`;
 * the same bucket holds the rule engine's state (engine-state.ts), under other prefixes.
 *
 * Alert records are written by compare-and-swap under the writer's fence (cas-kv.ts): an alerter that lost its
 * lease writes nothing.
 */
import type { Topology } from '@cctap/events';
import { kvReadAll } from '@cctap/kit';
import { Kvm, type KV } from '@nats-io/kv';
import type { AlertRecord, AlertStateStore } from './alert-record.js';
import { CasKv, hashedKey, UNFENCED, type WriteFence } from './cas-kv.js';
import { KvEngineStateStore } from './engine-state.js';
import type { Silence, SilenceStore } from './silences.js';

const enc = new TextEncoder();
const dec = new TextDecoder();

const RECORD_PREFIX = 'a_';

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
  readonly #cas: CasKv;
  constructor(kv: KV, fence: WriteFence = UNFENCED, onConflict?: () => void) {
    this.#cas = new CasKv(kv, fence, onConflict);
  }
  async load(): Promise<AlertRecord[]> {
    const entries = await this.#cas.readAll((k) => k.startsWith(RECORD_PREFIX));
    return entries.map((e) => e.value as AlertRecord);
  }
  put(record: AlertRecord): Promise<void> {
    return this.#cas.put(hashedKey(RECORD_PREFIX, record.key), record);
  }
  delete(key: string): Promise<void> {
    return this.#cas.delete(hashedKey(RECORD_PREFIX, key));
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

/**
 * Opens the alert and silence stores of a topology, and the rule engine's state next to the alerts; the buckets
 * are created by `cctap provision`. Writes of alerts and engine state go through `fence` (default: unfenced).
 */
export async function openKvStores(
  nc: ConstructorParameters<typeof Kvm>[0],
  t: Topology,
  o: { fence?: WriteFence; onConflict?: () => void } = {},
): Promise<{ alerts: KvAlertStateStore; silences: KvSilenceStore; engine: KvEngineStateStore }> {
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
  const alerts = await open('alerts');
  return {
    alerts: new KvAlertStateStore(alerts, o.fence, o.onConflict),
    silences: new KvSilenceStore(await open('silences')),
    engine: new KvEngineStateStore(alerts, o.fence, o.onConflict),
  };
}
