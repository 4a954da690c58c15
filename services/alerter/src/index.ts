/** The alerter: rules, Alertmanager-style dispatch, webhook and Slack delivery that survives crashes. */
export {
  createAlerter,
  type AlerterOptions,
  type AlerterService,
  type AlerterHealth,
} from './service/create-alerter.js';
export { parseRuleSet, buildRuleSet, RulesConfigError, DEFAULT_TIMING, type RuleSet } from './rules/load-rules.js';
export { loadRuleFile } from './rules/rules-watcher.js';
export { RULE_PACK } from './rule-pack/default-pack.js';
export type { Rule, ReceiverConfig, Severity } from './rules/rule-schema.js';
export type { Clock } from '@cctap/kit';
export type { EngineInput } from './engine/signal.js';
export { fromEvent, fromDerived } from './engine/inputs.js';
export { MemoryAlertStateStore, type AlertStateStore, type AlertRecord } from './state/alert-record.js';
export { MemorySilenceStore, parseMatchers, type Silence, type SilenceStore } from './state/silences.js';
export { openFileStores } from './state/file-stores.js';
export { KvAlertStateStore, KvSilenceStore, openKvStores, MissingBucketError } from './state/kv-stores.js';
export { createWebhookReceiver, verifySignature, sign } from './receivers/webhook.js';
export { createSlackReceiver, slackMessage } from './receivers/slack.js';
export { receiverFromConfig } from './receivers/from-config.js';
export type { Receiver } from './receivers/receiver.js';
export { sendOnce, type SendOutcome } from './receivers/http-send.js';
export { findDangerousCommands, type DangerKind } from './shell/dangerous-commands.js';
export { isSecretPath } from './shell/secret-paths.js';
export { sendTestNotification } from './service/test-notification.js';
export { parseDuration } from './rules/duration.js';
export { silenceMatches } from './state/silences.js';
