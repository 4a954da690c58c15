/**
 * `cctap provision`: creates or updates every stream, durable consumer and KV bucket of a topology.
 * Idempotent: each object's current configuration is compared field by field with the desired one
 * (desired.ts) and updated only when they differ; the report says created / updated / unchanged.
 */
import { BUCKETS, CONSUMERS, STREAM_KEYS, topology, type BucketKey, type ConsumerKey } from '@cctap/events';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { serverVersion } from '../nats/connect.js';
import { desiredConsumer, desiredStream, type ProvisionOptions } from './desired.js';

export type ProvisionAction = 'created' | 'updated' | 'unchanged';

export interface ProvisionEntry {
  kind: 'stream' | 'consumer' | 'bucket';
  name: string;
  action: ProvisionAction;
  /** Fields that differed (updated only). */
  changed?: string[];
}

export interface ProvisionReport {
  serverVersion: string;
  entries: ProvisionEntry[];
}

function isNotFound(err: unknown): boolean {
  const e = err as { code?: unknown; message?: string; api_error?: { err_code?: number } };
  return /not found/i.test(e.message ?? '') || e.api_error?.err_code === 10059 || e.api_error?.err_code === 10014;
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

export async function provision(nc: NatsConnection, opts: ProvisionOptions = {}): Promise<ProvisionReport> {
  const t = topology(opts.prefix);
  const jsm: JetStreamManager = await jetstreamManager(nc);
  const version = serverVersion(nc);
  const entries: ProvisionEntry[] = [];

  for (const key of STREAM_KEYS) {
    const want = desiredStream(t, key, opts, version);
    const name = want.name!;
    const info = await jsm.streams.info(name).catch((err: unknown) => {
      if (isNotFound(err)) return null;
      throw err;
    });
    if (!info) {
      await jsm.streams.add({ ...want, name });
      entries.push({ kind: 'stream', name, action: 'created' });
      continue;
    }
    const changed = diff(want, info.config);
    if (changed.length === 0) {
      entries.push({ kind: 'stream', name, action: 'unchanged' });
    } else {
      await jsm.streams.update(name, { ...info.config, ...want });
      entries.push({ kind: 'stream', name, action: 'updated', changed });
    }
  }

  for (const key of Object.keys(CONSUMERS) as ConsumerKey[]) {
    const stream = t.consumerStream(key);
    const want = desiredConsumer(t, key, opts);
    const name = want.durable_name!;
    const info = await jsm.consumers.info(stream, name).catch((err: unknown) => {
      if (isNotFound(err)) return null;
      throw err;
    });
    if (!info) {
      await jsm.consumers.add(stream, want);
      entries.push({ kind: 'consumer', name, action: 'created' });
      continue;
    }
    const changed = diff(want, info.config);
    if (changed.length === 0) {
      entries.push({ kind: 'consumer', name, action: 'unchanged' });
    } else {
      // Backoff, when removed, must be cleared explicitly.
      const next = { ...info.config, ...want, ...(want.backoff ? {} : { backoff: undefined }) };
      await jsm.consumers.update(stream, name, next);
      entries.push({ kind: 'consumer', name, action: 'updated', changed });
    }
  }

  const kvm = new Kvm(nc);
  for (const key of Object.keys(BUCKETS) as BucketKey[]) {
    const name = t.bucket(key);
    const exists = await jsm.streams.info(`KV_${name}`).then(
      () => true,
      (err: unknown) => {
        if (isNotFound(err)) return false;
        throw err;
      },
    );
    if (exists) {
      entries.push({ kind: 'bucket', name, action: 'unchanged' });
    } else {
      await kvm.create(name, { history: key === 'alerts' ? 5 : 1, replicas: opts.replicas ?? 1 });
      entries.push({ kind: 'bucket', name, action: 'created' });
    }
  }

  return { serverVersion: version.join('.'), entries };
}

export type { ProvisionOptions };
