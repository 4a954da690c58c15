/**
 * The alerter service: consumes events and derived events from the bus, evaluates rules, dispatches alerts
 * with Alertmanager semantics to webhook and Slack receivers, records delivery state durably, and publishes
 * every notification on `cctap.alerts.<severity>.<rule>`.
 *
 * A message is acked once its signals are recorded in the state store (and, for notifications due at once,
 * queued for delivery): a crash before that redelivers the message; after it, the store carries the work.
 *
 * Works on either bus (JetStream or in-process) and either store (KV or memory), so single-process mode runs
 * it in-process with the same code.
 */
import {
  alertMsgId,
  DecodeError,
  decodeTrustedBatch,
  decodeTrustedDerived,
  encodeAlert,
  topology as makeTopology,
  type Alert,
  type Topology,
} from '@cctap/events';
import {
  createMetrics,
  LruSet,
  SerialQueue,
  StartGate,
  silentLogger,
  systemClock,
  type Bus,
  type Clock,
  type Logger,
  type Metrics,
  type Subscription,
} from '@cctap/kit';
import { shippedBook, type PriceBook } from '@cctap/prices';
import { BudgetTracker } from '../budgets/budget-tracker.js';
import { MemoryBudgetStateStore, type BudgetStateStore } from '../budgets/budget-state.js';
import { DeliveryWorker } from '../dispatch/delivery-worker.js';
import { Dispatcher } from '../dispatch/dispatcher.js';
import { withCentralCost } from '../engine/central-cost.js';
import { fromDerived, fromEvent } from '../engine/inputs.js';
import { RuleEngine, type EngineChanges } from '../engine/rule-engine.js';
import type { EngineInput, Signal } from '../engine/signal.js';
import { receiverFromConfig } from '../receivers/from-config.js';
import type { Receiver } from '../receivers/receiver.js';
import { loadRuleFile, RulesWatcher } from '../rules/rules-watcher.js';
import { DEFAULT_TIMING, type RuleSet, type RulesEnv } from '../rules/load-rules.js';
import { MemoryAlertStateStore, type AlertStateStore } from '../state/alert-record.js';
import { mergeChanges, type EngineStateStore } from '../state/engine-state.js';
import { MemorySilenceStore, type Silence, type SilenceStore } from '../state/silences.js';
import { alerterMetrics } from './alerter-metrics.js';

/** Event ids remembered to skip duplicates (the analyzer keeps as many: about 10 MB). */
const SEEN_IDS = 100_000;

export interface AlerterOptions {
  /** Without a bus the alerter only evaluates what `ingest` is given (tests, embedding). */
  bus?: Bus;
  topology?: Topology;
  /** Durable alert state; default in memory (single-process mode without NATS). */
  state?: AlertStateStore;
  silences?: SilenceStore;
  /** Running spend of the budgets (`budgets:` in the rules); default in memory. */
  budgetState?: BudgetStateStore;
  clock?: Clock;
  /** A rule set, or the path of a config file (YAML/JSON) that is watched and reloaded. */
  rules: RuleSet | { file: string; env?: RulesEnv };
  /** Receivers built by the caller; default: from the rule set's `receivers`. */
  receivers?: Receiver[];
  metrics?: Metrics;
  logger?: Logger;
  /** How often time-based decisions run (group wait/interval, resolve, absence). Default 1000 ms. */
  tickMs?: number;
  /** How often silences are re-read from their store. Default 5000 ms. */
  silenceRefreshMs?: number;
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** The price book assistant responses are costed with (`payload.cost`), loaded once at start. Default:
   *  the shipped book. */
  prices?: PriceBook;
  /** Where the rule engine's windows and absence timers are kept, so a replica taking over continues them
   *  (the alerter lease, ha/alerter-replica.ts); default: in memory only. */
  engineState?: EngineStateStore;
}

export interface AlerterHealth {
  ready: boolean;
  details: { alerts: number; rules: number; receivers: string[]; lastError: string | null };
}

/** A kit `Service` (runner-compatible) with the alerter's own handles. */
export interface AlerterService {
  readonly name: 'alerter';
  start(): Promise<void>;
  stop(reason?: string): Promise<void>;
  health(): AlerterHealth;
  /** Evaluates inputs directly (what the consumers do per message). */
  ingest(inputs: readonly EngineInput[]): Promise<void>;
  /** Runs time-based decisions now (tests drive it after advancing their clock). */
  tick(): Promise<void>;
  /** Re-reads silences from their store now. */
  refreshSilences(): Promise<void>;
  /** Notifications still owed to a receiver: to send (pending or mid-request), or to count in a suppression summary. */
  pendingDeliveries(): { toSend: number; toSummarize: number };
  /** The receivers alerts go to now (`cctap alerts test` through a running `cctap up`). */
  receivers(): Receiver[];
  readonly dispatcher: Dispatcher;
  readonly engine: RuleEngine;
  readonly metrics: Metrics;
}

export function createAlerter(o: AlerterOptions): AlerterService {
  const clock = o.clock ?? systemClock;
  const prices = o.prices ?? shippedBook();
  const log = (o.logger ?? silentLogger).child({ component: 'alerter' });
  const metricsRegistry = o.metrics ?? createMetrics('alerter', { defaultMetrics: false });
  const m = alerterMetrics(metricsRegistry);
  const t = o.topology ?? makeTopology();
  const store = o.state ?? new MemoryAlertStateStore();
  const silenceStore = o.silences ?? new MemorySilenceStore();
  const ruleFile = 'file' in o.rules ? o.rules.file : null;
  const ruleEnv = 'file' in o.rules ? o.rules.env : undefined;
  // A rules file is read by start(); until then nothing is evaluated.
  let ruleSet: RuleSet =
    'file' in o.rules
      ? { rules: [], receivers: [], defaults: DEFAULT_TIMING, inhibitEqual: [], maxEventAgeMs: 0, budgets: [] }
      : o.rules;
  let silences: Silence[] = [];
  let lastError: string | null = null;
  let running = false;

  const engine = new RuleEngine({
    rules: ruleSet.rules,
    clock,
    maxEventAgeMs: ruleSet.maxEventAgeMs,
    trackChanges: o.engineState !== undefined,
  });
  // Engine changes a refused write left unstored: merged into the next save (every message and tick).
  let unsavedEngine: EngineChanges | null = null;
  const saveEngine = async () => {
    if (!o.engineState) return;
    unsavedEngine = mergeChanges(unsavedEngine, engine.takeChanges());
    await o.engineState.save(unsavedEngine);
    unsavedEngine = null;
  };
  const workers = new Map<string, DeliveryWorker>();
  const receiversOf = (rs: RuleSet): Receiver[] => o.receivers ?? rs.receivers.map(receiverFromConfig);

  const publish = o.bus
    ? async (alert: Alert) => {
        await o.bus!.publish(t.subjects.alerts(alert.severity, alert.rule), encodeAlert(alert), {
          msgId: alertMsgId(alert.id),
        });
      }
    : undefined;

  const dispatcher: Dispatcher = new Dispatcher({
    clock,
    store,
    ruleSet: () => ruleSet,
    receiverNames: () => [...workers.keys()],
    silences: () => silences,
    enqueue: (receiver, key) => workers.get(receiver)?.enqueue(key),
    ...(publish ? { publish } : {}),
    metrics: m,
    log,
  });

  const syncReceivers = (rs: RuleSet) => {
    const wanted = receiversOf(rs);
    for (const r of wanted) {
      const w = workers.get(r.name);
      if (w) w.setReceiver(r);
      else {
        const nw = new DeliveryWorker({
          receiver: r,
          dispatcher,
          metrics: m,
          log,
          ...(o.retryBaseMs !== undefined ? { retryBaseMs: o.retryBaseMs } : {}),
          ...(o.retryMaxMs !== undefined ? { retryMaxMs: o.retryMaxMs } : {}),
        });
        workers.set(r.name, nw);
        if (running) nw.start();
      }
    }
    for (const [name, w] of workers) {
      if (!wanted.some((r) => r.name === name)) {
        workers.delete(name);
        void w.stop();
      }
    }
  };
  syncReceivers(ruleSet);

  const budgets = new BudgetTracker({
    clock,
    store: o.budgetState ?? new MemoryBudgetStateStore(),
    budgets: () => ruleSet.budgets,
    log,
  });
  /** Budget alerts go out once their `told` mark is stored, so a restart does not tell them again. */
  const observeBudgets = async (due: Signal[]) => {
    if (due.length === 0) return;
    await budgets.flush();
    for (const s of due) await dispatcher.observe(s);
  };

  const watcher = ruleFile
    ? new RulesWatcher({
        file: ruleFile,
        ...(ruleEnv ? { env: ruleEnv } : {}),
        onReload: (rs) => {
          ruleSet = rs;
          engine.setRules(rs.rules);
          engine.maxEventAgeMs = rs.maxEventAgeMs;
          syncReceivers(rs);
          m.rulesReloads.inc({ outcome: 'ok' });
          log.info('rules reloaded', { file: ruleFile, rules: rs.rules.length, receivers: rs.receivers.length });
        },
        onError: (err) => {
          lastError = err.message;
          m.rulesReloads.inc({ outcome: 'invalid' });
          log.error('rules file invalid; keeping the previous rules', { file: ruleFile, err: err.message });
        },
      })
    : null;

  // Signals are applied one message at a time, in order, so the state machine sees a single writer.
  const signals = new SerialQueue();

  // An event id seen recently is not evaluated again: a redelivery, or a line a collector published again
  // (event ids name the line, so a transcript Claude Code rewrote yields the same ids) would otherwise be a
  // second occurrence, and after its alert resolved, a second alert.
  const seen = new LruSet(SEEN_IDS);
  const ingest = (inputs: readonly EngineInput[]) =>
    signals.run(async () => {
      for (const input of inputs) {
        if (!seen.add(input.id)) {
          m.messagesSkipped.inc({ reason: 'duplicate_event' });
          continue;
        }
        m.eventsIn.inc({ source: input.source });
        const priced = withCentralCost(prices, input);
        for (const s of engine.ingest(priced)) await dispatcher.observe(s);
        await observeBudgets(budgets.observe(priced));
      }
      // Before the message is acked: the replica that takes over continues from here.
      await saveEngine();
    });

  const tick = () =>
    signals.run(async () => {
      for (const s of engine.tick()) await dispatcher.observe(s);
      await saveEngine();
      await observeBudgets(budgets.tick());
      await budgets.flush();
      await dispatcher.tick();
    });

  const refreshSilences = async () => {
    try {
      silences = await silenceStore.list();
    } catch (err) {
      lastError = (err as Error).message;
      log.warn('could not read silences; keeping the last known ones', { err });
    }
  };

  /**
   * One message of either stream, through its codec (decoded once per process: in `cctap up` the sink and the
   * analyzer read the same object).
   */
  const handlerOf =
    (decode: (data: Uint8Array) => EngineInput[]) =>
    async (msg: { data: Uint8Array }): Promise<void> => {
      let inputs: EngineInput[];
      try {
        inputs = decode(msg.data);
      } catch (err) {
        if (!(err instanceof DecodeError)) throw err;
        m.messagesSkipped.inc({ reason: err.notJson ? 'not_json' : 'not_an_event' });
        log.warn(err.notJson ? 'skipped a message that is not JSON' : 'skipped a message that is not an event', {
          err,
        });
        return;
      }
      await ingest(inputs);
    };

  let subs: Subscription[] = [];
  let timer: ReturnType<typeof setInterval> | null = null;
  let silenceTimer: ReturnType<typeof setInterval> | null = null;
  const gate = new StartGate();

  async function startNow(): Promise<void> {
    if (running) return;
    if (ruleFile) {
      ruleSet = await loadRuleFile(ruleFile, ruleEnv);
      engine.setRules(ruleSet.rules);
      engine.maxEventAgeMs = ruleSet.maxEventAgeMs;
      syncReceivers(ruleSet);
    }
    await refreshSilences();
    await budgets.recover();
    if (o.engineState) {
      engine.restore(await o.engineState.load());
      // Groups of rules that are gone are dropped (and deleted from the store at the next save).
      engine.setRules(ruleSet.rules);
    }
    const rec = await dispatcher.recover();
    for (const r of dispatcher.records.values()) {
      const rule = ruleSet.rules.find((x) => x.name === r.rule);
      if (rule?.kind === 'absence' && r.status === 'firing')
        engine.seedAbsence(rule.name, r.labels, clock.now() - rule.for);
    }
    if (rec.inFlight > 0) log.warn('re-sending notifications a crash left mid-request (possible duplicates)', rec);
    running = true;
    for (const w of workers.values()) w.start();
    await watcher?.start();
    timer = setInterval(
      () =>
        void tick().catch((err: unknown) => {
          lastError = String(err);
          log.error('tick failed', { err });
        }),
      o.tickMs ?? 1000,
    );
    silenceTimer = setInterval(() => void refreshSilences(), o.silenceRefreshMs ?? 5000);
    if (o.bus) {
      subs = [
        o.bus.consume(
          'alerter-events',
          handlerOf((data) => decodeTrustedBatch(data).events.map(fromEvent)),
        ),
        o.bus.consume(
          'alerter-derived',
          handlerOf((data) => [fromDerived(decodeTrustedDerived(data))]),
        ),
      ];
    }
    log.info('alerter started', {
      rules: ruleSet.rules.length,
      receivers: [...workers.keys()],
      recovered: rec.records,
    });
  }

  return {
    name: 'alerter',
    dispatcher,
    engine,
    metrics: metricsRegistry,
    ingest,
    tick,
    refreshSilences,
    start: () => gate.run(startNow),
    async stop() {
      await gate.settled();
      if (!running) return;
      running = false;
      await Promise.all(subs.map((s) => s.stop()));
      subs = [];
      if (timer) clearInterval(timer);
      if (silenceTimer) clearInterval(silenceTimer);
      watcher?.stop();
      await signals.idle();
      await budgets.flush();
      await Promise.all([...workers.values()].map((w) => w.stop()));
      await dispatcher.flushPublishes();
      await dispatcher.flushWrites();
      const owed = dispatcher.owedDeliveries();
      if (owed.toSend + owed.toSummarize > 0)
        log.warn(
          'alert deliveries still pending at shutdown; kept in the alert store and resumed at the next start',
          owed,
        );
    },
    pendingDeliveries: () => dispatcher.owedDeliveries(),
    receivers: () => receiversOf(ruleSet),
    health() {
      return {
        ready: running,
        details: {
          alerts: dispatcher.records.size,
          rules: ruleSet.rules.length,
          receivers: [...workers.keys()],
          lastError,
        },
      };
    },
  };
}
