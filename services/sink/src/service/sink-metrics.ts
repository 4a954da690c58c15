/** The sink's own series (base units, bounded labels: table, kind, consumer). */
import type { Metrics } from '@cctap/kit';

export type FlushErrorKind = 'unavailable' | 'rejected' | 'undecodable';

export interface SinkMetrics {
  flushed(table: string, rows: number, seconds: number): void;
  error(table: string, kind: FlushErrorKind, n?: number): void;
  pending(consumer: string, n: number): void;
}

export function sinkMetrics(metrics: Metrics | undefined): SinkMetrics {
  if (!metrics) return { flushed() {}, error() {}, pending() {} };
  const rows = metrics.counter('cctap_sink_rows_total', 'Rows inserted into ClickHouse, by table', ['table']);
  const seconds = metrics.histogram(
    'cctap_sink_flush_seconds',
    'Time of one insert (one table, one flush)',
    ['table'],
    [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  );
  const size = metrics.histogram(
    'cctap_sink_batch_rows',
    'Rows per insert',
    ['table'],
    [1, 10, 100, 500, 1000, 5000, 10_000, 20_000, 50_000],
  );
  const last = metrics.gauge('cctap_sink_last_flush_timestamp_seconds', 'Unix time of the last successful insert', [
    'table',
  ]);
  const errors = metrics.counter('cctap_sink_flush_errors_total', 'Failed inserts and skipped messages, by kind', [
    'table',
    'kind',
  ]);
  const lag = metrics.gauge(
    'cctap_sink_consumer_pending_messages',
    'Messages not yet delivered to the sink (consumer num_pending)',
    ['consumer'],
  );
  return {
    flushed(table, n, s) {
      rows.inc({ table }, n);
      seconds.observe({ table }, s);
      size.observe({ table }, n);
      last.set({ table }, Date.now() / 1000);
    },
    error: (table, kind, n = 1) => errors.inc({ table, kind }, n),
    pending: (consumer, n) => lag.set({ consumer }, n),
  };
}
