/**
 * The validator service: durable consumer `validator` on CCTAP_RAW. For each raw batch it runs the pure
 * core (core/validate-batch.ts), publishes the valid events as one batch to `<root>.events.<host>` and each
 * rejection to `<root>.invalid.<host>`, with message ids derived from the input's, and acks the input only
 * once every output is acked. A failed publish naks the input with a delay; the retry republishes the same
 * ids, so whatever did get through the first time is deduplicated.
 *
 * Replicas share the durable consumer: JetStream hands each batch to one of them.
 */
import { derivedMsgId, encodeInvalid, streamPositionId, type Topology } from '@cctap/events';
import { createContractValidator, type ContractValidator } from '@cctap/events/ajv';
import {
  LabelCap,
  type Bus,
  type BusMessage,
  type Logger,
  type Metrics,
  type Service,
  type Subscription,
} from '@cctap/kit';
import { validateBatch } from './core/validate-batch.js';
import type { UsersPerHost } from './core/users-per-host.js';

export interface ValidatorOptions {
  bus: Bus;
  topology: Topology;
  logger: Logger;
  metrics: Metrics;
  /** Events whose ts is further ahead than this are rejected. Default one day. */
  maxFutureMs?: number;
  /** Raw batches fetched at once. Default 64. */
  fetchBatch?: number;
  /** Delay before retrying a batch whose outputs could not be published. Default 2 s. */
  publishRetryMs?: number;
  /** Users each host may report (core/users-per-host.ts); absent: any user. */
  usersPerHost?: UsersPerHost;
  /** Clock, for tests. */
  now?: () => number;
}

export function createValidatorService(o: ValidatorOptions): Service {
  const log = o.logger.child({ component: 'validator' });
  const m = o.metrics;
  const events = m.counter('cctap_validator_events_total', 'Events seen by the validator, by result and reason', [
    'result',
    'reason',
  ]);
  const byVersion = m.counter(
    'cctap_validator_events_by_version_total',
    'Unknown-type and invalid events per Claude Code version',
    ['cc_version', 'kind'],
  );
  const batches = m.counter('cctap_validator_batches_total', 'Raw batches processed, by outcome', ['outcome']);
  const bytesIn = m.counter('cctap_validator_input_bytes_total', 'Raw batch bytes read');
  const seconds = m.histogram(
    'cctap_validator_batch_seconds',
    'Time to validate and republish one raw batch',
    [],
    [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
  );
  // Claude Code versions are few in practice; the cap protects Prometheus from a host sending garbage.
  const version = new LabelCap(50);
  let contract: ContractValidator | null = null;
  let sub: Subscription | null = null;
  let stopping = false;

  async function one(msg: BusMessage): Promise<void> {
    const t0 = performance.now();
    const r = validateBatch(msg.data, msg.subject, {
      topology: o.topology,
      contract: contract!,
      now: o.now?.() ?? Date.now(),
      maxFutureMs: o.maxFutureMs ?? 86_400_000,
      ...(o.usersPerHost ? { usersPerHost: o.usersPerHost } : {}),
    });
    const upstream = msg.msgId ?? streamPositionId(msg.stream, msg.seq);
    const host = r.host ?? 'unknown';
    const outputs: Promise<unknown>[] = [];
    if (r.valid)
      outputs.push(
        o.bus.publish(o.topology.subjects.events(host), r.valid.bytes, {
          msgId: derivedMsgId('validator', upstream, 'events'),
        }),
      );
    r.invalid.forEach((rec, i) => {
      outputs.push(
        o.bus.publish(o.topology.subjects.invalid(host), encodeInvalid(rec), {
          msgId: derivedMsgId('validator', upstream, `invalid-${i}`),
          headers: { 'Cctap-Reason': rec.reason },
        }),
      );
    });
    const results = await Promise.allSettled(outputs);
    const failed = results.find((x): x is PromiseRejectedResult => x.status === 'rejected');
    if (failed) {
      batches.inc({ outcome: 'publish_failed' });
      log.warn('output publish failed; batch will be retried', { seq: msg.seq, err: failed.reason });
      msg.nak(o.publishRetryMs ?? 2000);
      return;
    }
    // Count only once the outputs are durable, so a retried batch is not counted twice.
    bytesIn.inc(msg.data.byteLength);
    const valid = r.valid?.batch.events ?? [];
    if (valid.length > 0) events.inc({ result: 'valid', reason: 'ok' }, valid.length);
    for (const e of valid)
      if (e.type === 'unknown') byVersion.inc({ cc_version: version.of(e.ccVersion), kind: 'unknown_type' });
    for (const rec of r.invalid) {
      events.inc({ result: 'invalid', reason: rec.reason });
      byVersion.inc({ cc_version: version.of(rec.ccVersion ?? 'none'), kind: 'invalid' });
    }
    batches.inc({ outcome: r.invalid.length > 0 ? (valid.length > 0 ? 'partial' : 'rejected') : 'valid' });
    seconds.observe((performance.now() - t0) / 1000);
    msg.ack();
  }

  return {
    name: 'validator',
    async start() {
      contract = createContractValidator();
      if (o.usersPerHost) log.info('users are checked against the users-per-host list', { hosts: o.usersPerHost.size });
      else
        log.warn(
          'no users-per-host list: any host may report any user (fine for one laptop; pass --users-per-host for a team)',
        );
      sub = o.bus.consumeBatch(
        'validator',
        async (msgs) => {
          await Promise.all(msgs.map((msg) => one(msg)));
        },
        // The next raw batches are pulled while these are validated and their outputs published.
        { batchSize: o.fetchBatch ?? 64, prefetch: true },
      );
    },
    async stop() {
      stopping = true;
      await sub?.stop();
    },
    health: () => ({ ready: sub !== null && !stopping }),
  };
}
