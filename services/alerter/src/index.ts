/** The alerter: rules, Alertmanager-style dispatch, webhook and Slack delivery that survives crashes. */
export { createAlerter, type AlerterOptions, type AlerterService } from './service/create-alerter.js';
export { buildRuleSet, RulesConfigError } from './rules/load-rules.js';
export { loadRuleFile } from './rules/rules-watcher.js';
export type { AlertStateStore, AlertRecord } from './state/alert-record.js';
export { parseMatchers, type Silence, type SilenceStore } from './state/silences.js';
export { openFileStores } from './state/file-stores.js';
export { openKvStores, MissingBucketError } from './state/kv-stores.js';
export { createAlerterReplica } from './ha/alerter-replica.js';
export { openFileBudgetStore, openKvBudgetStore } from './budgets/budget-state.js';
export { receiverFromConfig } from './receivers/from-config.js';
export type { Receiver } from './receivers/receiver.js';
export type { SendOutcome } from './receivers/http-send.js';
export { sendTestNotification } from './service/test-notification.js';
export { parseDuration } from './rules/duration.js';
