import type { ReceiverConfig } from '../rules/rule-schema.js';
import type { Receiver } from './receiver.js';
import { createSlackReceiver } from './slack.js';
import { createWebhookReceiver } from './webhook.js';

export function receiverFromConfig(c: ReceiverConfig): Receiver {
  return c.type === 'slack'
    ? createSlackReceiver({ name: c.name, url: c.url, linkTemplate: c.linkTemplate, timeoutMs: c.timeout, minIntervalMs: c.minInterval })
    : createWebhookReceiver({ name: c.name, url: c.url, secret: c.secret, timeoutMs: c.timeout, minIntervalMs: c.minInterval, headers: c.headers });
}
