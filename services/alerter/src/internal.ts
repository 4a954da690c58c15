/**
 * `@cctap/alerter/internal`: what the workspace's tests reach for (the KV stores built on a bucket the test made,
 * and their fence, the rule engine and its persisted state, the contract event -> rule input mapping, the webhook
 * signature check). Not part of the package's public surface.
 */
export { KvAlertStateStore, KvSilenceStore } from './state/kv-stores.js';
export { FencedError, type WriteFence } from './state/cas-kv.js';
export { KvEngineStateStore, SEGMENT_ENTRIES } from './state/engine-state.js';
export { RuleEngine } from './engine/rule-engine.js';
export { emptyEvidence } from './engine/signal.js';
export { validateRules } from './rules/load-rules.js';
export { fromEvent } from './engine/inputs.js';
export { verifySignature } from './receivers/webhook.js';
