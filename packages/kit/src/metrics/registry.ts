/**
 * A prom-client Registry per service (never the global one: single-process mode runs several services in
 * one process, and tests create many). Every series carries a `service` label.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export interface Metrics {
  registry: Registry;
  service: string;
  /** Get-or-create, so two components asking for the same metric share it. */
  counter<L extends string>(name: string, help: string, labelNames?: readonly L[]): Counter<L>;
  gauge<L extends string>(name: string, help: string, labelNames?: readonly L[]): Gauge<L>;
  histogram<L extends string>(name: string, help: string, labelNames?: readonly L[], buckets?: number[]): Histogram<L>;
}

export function createMetrics(service: string, opts: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  // Event-loop delay sampled every 100 ms, not prom-client's 10 ms: the 10 ms timer alone costs ~0.35 % of a
  // core in an idle process (measured, bench/notes/collector-idle.md), most of the collector's idle budget.
  // A stall still shows in full: it delays the next sample by as long as it lasts.
  if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 100 });
  const existing = (name: string) => registry.getSingleMetric(name);
  return {
    registry,
    service,
    counter<L extends string>(name: string, help: string, labelNames: readonly L[] = []) {
      return (
        (existing(name) as Counter<L> | undefined) ?? new Counter<L>({ name, help, labelNames, registers: [registry] })
      );
    },
    gauge<L extends string>(name: string, help: string, labelNames: readonly L[] = []) {
      return (
        (existing(name) as Gauge<L> | undefined) ?? new Gauge<L>({ name, help, labelNames, registers: [registry] })
      );
    },
    histogram<L extends string>(name: string, help: string, labelNames: readonly L[] = [], buckets?: number[]) {
      return (
        (existing(name) as Histogram<L> | undefined) ??
        new Histogram<L>({ name, help, labelNames, registers: [registry], ...(buckets ? { buckets } : {}) })
      );
    },
  };
}
