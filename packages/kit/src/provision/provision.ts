/**
 * `cctap provision`: creates or updates every stream, durable consumer and KV bucket of a topology.
 * Idempotent: each object's current configuration is compared field by field with the desired one
 * (desired.ts) and updated only when they differ; the report says created / updated / unchanged.
 *
 * All or nothing: the stream sizes are fitted to what the server can reserve before anything is created
 * (fit-storage.ts), and when a step still fails, what this run created is deleted again before the error
 * is reported, so a server is never left with half a topology.
 */
import { randomBytes } from 'node:crypto';
import { BUCKETS, CONSUMERS, STREAM_KEYS, topology, type BucketKey, type ConsumerKey } from '@cctap/events';
import { jetstreamManager, type JetStreamManager, type StreamInfo } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { ConfigError } from '../errors.js';
import { serverVersion } from '../nats/connect.js';
import { isJetStreamNotFound, isJetStreamOutOfSpace, JS_ERR, jetStreamCode } from '../nats/nats-errors.js';
import { backoffDelay } from '../time/backoff.js';
import { sleep } from '../time/sleep.js';
import { createStreamWithConsumers } from './create-stream.js';
import { desiredConsumer, desiredStream, type ProvisionOptions } from './desired.js';
import { checkCounts, fitStorage, type PlannedStream } from './fit-storage.js';
import { replaceRetention } from './replace-retention.js';

/** `replaced`: the stream was deleted and created again with another retention (replace-retention.ts). */
export type ProvisionAction = 'created' | 'updated' | 'unchanged' | 'replaced';

export interface ProvisionEntry {
  kind: 'stream' | 'consumer' | 'bucket';
  name: string;
  action: ProvisionAction;
  /** Fields that differed (updated and replaced only). */
  changed?: string[];
  /** Streams: the max_bytes it has now. */
  maxBytes?: number;
}

export interface ProvisionReport {
  serverVersion: string;
  entries: ProvisionEntry[];
  /** Bytes JetStream could still reserve when the default sizes did not fit (the streams were fitted); else null. */
  fittedTo: number | null;
}

/**
 * Another provisioner's run got in the way: it took the reservation this run planned with (out of space),
 * created a stream or consumer of the same name first, or removed a stream this run planned to find (its own
 * run failed and undid what it had created, a stream this run then added a consumer to).
 */
function clashed(err: unknown): boolean {
  const code = jetStreamCode(err);
  if (
    isJetStreamOutOfSpace(err) ||
    code === JS_ERR.streamNotFound ||
    code === JS_ERR.streamNameExists ||
    code === JS_ERR.consumerNameExists ||
    code === JS_ERR.consumerAlreadyExists
  )
    return true;
  // The stream create error is one code for any failure, its text saying which: the server still removing
  // the files of a stream of that name ("error creating store for stream") is a clash; anything else is not.
  const refusal = (err as { cause?: unknown }).cause ?? err;
  return code === JS_ERR.streamCreate && /error creating store/i.test((refusal as Error).message ?? '');
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function diff(desired: object, actual: object): string[] {
  const a = actual as Record<string, unknown>;
  return Object.entries(desired)
    .filter(([k, v]) => !same(v, a[k]))
    .map(([k]) => k);
}

async function infoOrNull<T>(get: Promise<T>): Promise<T | null> {
  return get.catch((err: unknown) => {
    if (isJetStreamNotFound(err)) return null;
    throw err;
  });
}

/** What this run created, newest last, so a failure can take it away again. */
type Created = { kind: 'stream'; name: string } | { kind: 'consumer'; stream: string; name: string };

async function undo(jsm: JetStreamManager, created: readonly Created[]): Promise<void> {
  for (const c of [...created].reverse()) {
    // Best effort: the first error is the one to report, and a stream's deletion takes its consumers too.
    if (c.kind === 'stream') await jsm.streams.delete(c.name).catch(() => undefined);
    else await jsm.consumers.delete(c.stream, c.name).catch(() => undefined);
  }
}

/** Attempts of a whole provisioning run that another provisioner's concurrent run got in the way of. */
const CONCURRENT_ATTEMPTS = 4;

/**
 * Several provisioners can meet on one server (the provision job and services that provision at start, all
 * waiting for the same nats-server): one's streams take the reservation the other planned with, or exist by
 * the time it creates them. Such a run has undone its own part; planned again it sees the other's streams as
 * existing and fits around them.
 */
export async function provision(nc: NatsConnection, opts: ProvisionOptions = {}): Promise<ProvisionReport> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await provisionOnce(nc, opts);
    } catch (err) {
      // The server's refusal: wrapped by provisionOnce (its cause), or raw from the fit probe.
      if (!clashed(err) || attempt >= CONCURRENT_ATTEMPTS) throw err;
      // Jittered: provisioners that clashed once must not clash again by retrying in step.
      await sleep(backoffDelay(attempt, { baseMs: 400, capMs: 2000, jitter: 'equal' }));
    }
  }
}

async function provisionOnce(nc: NatsConnection, opts: ProvisionOptions): Promise<ProvisionReport> {
  const t = topology(opts.prefix);
  const jsm: JetStreamManager = await jetstreamManager(nc);
  const version = serverVersion(nc);
  const replicas = opts.replicas ?? 1;
  const consumerKeys = Object.keys(CONSUMERS) as ConsumerKey[];
  const bucketKeys = Object.keys(BUCKETS) as BucketKey[];

  // Look before touching anything.
  const plan: PlannedStream[] = [];
  for (const key of STREAM_KEYS) {
    const want = desiredStream(t, key, opts, version);
    const info: StreamInfo | null = await infoOrNull(jsm.streams.info(want.name!));
    plan.push({ key, want: { ...want, name: want.name!, max_bytes: want.max_bytes! }, info });
  }
  const bucketsMissing: BucketKey[] = [];
  for (const key of bucketKeys)
    if (!(await infoOrNull(jsm.streams.info(`KV_${t.bucket(key)}`)))) bucketsMissing.push(key);
  const consumersMissing: ConsumerKey[] = [];
  for (const key of consumerKeys)
    if (!(await infoOrNull(jsm.consumers.info(t.consumerStream(key), t.consumer(key))))) consumersMissing.push(key);

  const account = await jsm.getAccountInfo();
  checkCounts(account.limits, account, {
    streams: plan.filter((p) => !p.info).length + bucketsMissing.length,
    consumers: consumersMissing.length,
  });
  const fit = await fitStorage(jsm, plan, {
    replicas,
    perStreamLimit: account.limits.storage_max_stream_bytes ?? -1,
    probeName: `${t.stream('raw')}_FIT_PROBE_${randomBytes(4).toString('hex').toUpperCase()}`,
  });

  const entries: ProvisionEntry[] = [];
  const created: Created[] = [];
  /** The step under way, for the failure line. */
  let doing = '';
  try {
    /** Consumers made together with their stream (create-stream.ts): reported as created below. */
    const createdWithStream = new Set<ConsumerKey>();
    for (const { key, want: desired, info } of plan) {
      const want = { ...desired, max_bytes: fit.maxBytes.get(key)! };
      const name = want.name;
      const own = consumerKeys.filter((c) => CONSUMERS[c].stream === key);
      const ownConfigs = own.map((c) => desiredConsumer(t, c, opts));
      const sized = { maxBytes: want.max_bytes };
      doing = `stream ${name}`;
      if (!info) {
        // Recorded for the undo only once it exists: a stream another provisioner made meanwhile is not ours.
        await createStreamWithConsumers(jsm, want, ownConfigs, () => created.push({ kind: 'stream', name }));
        for (const c of own) createdWithStream.add(c);
        entries.push({ kind: 'stream', name, action: 'created', ...sized });
        continue;
      }
      const changed = diff(want, info.config);
      if (info.config.retention !== want.retention) {
        await replaceRetention(jsm, info, want, ownConfigs);
        for (const c of own) createdWithStream.add(c);
        entries.push({ kind: 'stream', name, action: 'replaced', changed, ...sized });
      } else if (changed.length === 0) {
        entries.push({ kind: 'stream', name, action: 'unchanged', ...sized });
      } else {
        await jsm.streams.update(name, { ...info.config, ...want });
        entries.push({ kind: 'stream', name, action: 'updated', changed, ...sized });
      }
    }

    for (const key of consumerKeys) {
      const stream = t.consumerStream(key);
      const want = desiredConsumer(t, key, opts);
      const name = want.durable_name!;
      doing = `consumer ${name}`;
      const info = await infoOrNull(jsm.consumers.info(stream, name));
      if (!info) {
        await jsm.consumers.add(stream, want);
        created.push({ kind: 'consumer', stream, name });
        entries.push({ kind: 'consumer', name, action: 'created' });
        continue;
      }
      const changed = diff(want, info.config);
      if (changed.length === 0) {
        entries.push({ kind: 'consumer', name, action: createdWithStream.has(key) ? 'created' : 'unchanged' });
      } else {
        // Backoff, when removed, must be cleared explicitly.
        const next = { ...info.config, ...want, ...(want.backoff ? {} : { backoff: undefined }) };
        await jsm.consumers.update(stream, name, next);
        entries.push({ kind: 'consumer', name, action: 'updated', changed });
      }
    }

    const kvm = new Kvm(nc);
    for (const key of bucketKeys) {
      const name = t.bucket(key);
      if (!bucketsMissing.includes(key)) {
        entries.push({ kind: 'bucket', name, action: 'unchanged' });
        continue;
      }
      doing = `bucket ${name}`;
      await kvm.create(name, { history: key === 'alerts' ? 5 : 1, replicas });
      created.push({ kind: 'stream', name: `KV_${name}` });
      entries.push({ kind: 'bucket', name, action: 'created' });
    }
  } catch (err) {
    await undo(jsm, created);
    if (err instanceof ConfigError) throw err;
    // Refusals here are about this server's state (a stream of someone else's on the same subjects, a limit):
    // one line naming the object, and the promise that nothing was left half made.
    throw new ConfigError(
      `nats-server refused ${doing}: ${(err as Error).message}; what this run had created was removed`,
      { cause: err },
    );
  }

  return { serverVersion: version.join('.'), entries, fittedTo: fit.fittedTo };
}

export type { ProvisionOptions };
