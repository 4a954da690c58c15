/** The alerter's metrics (base units, bounded labels: rule names come from the config, receivers too). */
import type { Metrics } from '@cctap/kit';

export function alerterMetrics(m: Metrics) {
  return {
    eventsIn: m.counter('cctap_alerter_events_total', 'Events and derived events evaluated', ['source']),
    messagesSkipped: m.counter(
      'cctap_alerter_messages_skipped_total',
      'Messages that were not events (unreadable), skipped and acked',
      ['reason'],
    ),
    signals: m.counter('cctap_alerter_signals_total', 'Rule matches and resolutions', ['rule', 'status']),
    notifications: m.counter('cctap_alerter_notifications_total', 'Notifications decided, per alert', [
      'rule',
      'status',
    ]),
    muted: m.counter(
      'cctap_alerter_notifications_muted_total',
      'Notifications not sent because silenced or inhibited',
      ['rule', 'reason'],
    ),
    requests: m.counter('cctap_alerter_receiver_requests_total', 'HTTP requests to receivers by outcome', [
      'receiver',
      'outcome',
    ]),
    delivered: m.counter(
      'cctap_alerter_alerts_delivered_total',
      'Alert notifications delivered (an alert in a coalesced message counts once)',
      ['receiver'],
    ),
    failed: m.counter(
      'cctap_alerter_delivery_failures_total',
      'Notifications a receiver refused for good (4xx other than 429)',
      ['receiver'],
    ),
    possibleDuplicates: m.counter(
      'cctap_alerter_possible_duplicate_notifications_total',
      'Notifications re-sent although an earlier attempt may have reached the receiver (a restart found it mid-request; 5xx; timeout or reset after the request was written): the receiver may have them already',
      ['receiver'],
    ),
    suppressed: m.counter(
      'cctap_alerter_notifications_suppressed_total',
      "Alert notifications a receiver's cap held back (told in a summary instead)",
      ['receiver', 'rule'],
    ),
    summaries: m.counter(
      'cctap_alerter_suppression_summaries_total',
      'Summary notifications ("N more alerts of rule X suppressed") delivered',
      ['receiver'],
    ),
    stateWriteFailures: m.counter(
      'cctap_alerter_state_write_failures_total',
      'Alert record writes the state store refused (retried every tick until it takes them)',
    ),
    latency: m.histogram(
      'cctap_alerter_delivery_seconds',
      'Duration of receiver requests that succeeded',
      ['receiver'],
      [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 15, 60, 300],
    ),
    firing: m.gauge('cctap_alerter_alerts_firing', 'Alerts currently firing', ['severity']),
    publishFailures: m.counter(
      'cctap_alerter_publish_failures_total',
      'Alert messages that could not be published to the alerts stream (retried)',
    ),
    rulesReloads: m.counter('cctap_alerter_rules_reloads_total', 'Rule file reloads', ['outcome']),
  };
}
export type AlerterMetrics = ReturnType<typeof alerterMetrics>;
