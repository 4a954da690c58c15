/**
 * `@cctap/alerter/internal`: what the workspace's tests reach for (the KV stores built on a bucket the test made,
 * the contract event -> rule input mapping, the webhook signature check). Not part of the package's public surface.
 */
export { KvAlertStateStore, KvSilenceStore } from './state/kv-stores.js';
export { fromEvent } from './engine/inputs.js';
export { verifySignature } from './receivers/webhook.js';
