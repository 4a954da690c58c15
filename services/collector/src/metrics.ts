/** The collector's metrics (names in base units, bounded labels), registered on the service's registry. */
import type { Metrics } from '@cctap/kit';

export function collectorMetrics(m: Metrics) {
  return {
    bytesRead: m.counter('cctap_collector_read_bytes_total', 'Transcript bytes read'),
    lines: m.counter<'outcome'>('cctap_collector_lines_total', 'Complete transcript lines read, by outcome', [
      'outcome',
    ]),
    events: m.counter('cctap_collector_events_published_total', 'Events in acknowledged batches'),
    batches: m.counter<'result'>(
      'cctap_collector_batches_published_total',
      'Batches acknowledged by JetStream, by result',
      ['result'],
    ),
    publishSeconds: m.histogram(
      'cctap_collector_publish_duration_seconds',
      'Publish to PubAck, per batch (including retries)',
      [],
      [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    ),
    publishRetries: m.counter('cctap_collector_publish_retries_total', 'Publish attempts that failed and were retried'),
    filesWatched: m.gauge('cctap_collector_files_watched', 'Transcript files known to the collector'),
    dirsWatched: m.gauge('cctap_collector_directories_watched', 'Directories with an fs.watch'),
    checkpointLag: m.gauge(
      'cctap_collector_checkpoint_lag_bytes',
      'Bytes on disk not yet acknowledged (sum over files)',
    ),
    inFlight: m.gauge('cctap_collector_in_flight_batches', 'Batches published and not yet acknowledged'),
    lastHeartbeat: m.gauge(
      'cctap_collector_last_heartbeat_timestamp_seconds',
      'When the last heartbeat was acknowledged',
    ),
    errors: m.counter<'kind'>(
      'cctap_collector_errors_total',
      'Errors by kind (each is retried or skipped and counted, never fatal)',
      ['kind'],
    ),
    filesSkipped: m.counter<'reason'>('cctap_collector_files_skipped_total', 'Files not read, by reason', ['reason']),
    identities: m.counter<'reason'>('cctap_collector_file_identities_total', 'New file identities, by reason', [
      'reason',
    ]),
  };
}

export type CollectorMetrics = ReturnType<typeof collectorMetrics>;
