import type { ReceiverConfig } from '../rules/rule-schema.js';
import type { Receiver, ReceiverLimits } from './receiver.js';
import { createSlackReceiver } from './slack.js';
import { createWebhookReceiver } from './webhook.js';

export function receiverFromConfig(c: ReceiverConfig): Receiver {
  const limits: ReceiverLimits = {
    groupBy: c.groupBy,
    groupWaitMs: c.groupWait,
    groupIntervalMs: c.groupInterval,
    cap: { alerts: c.cap.alerts, windowMs: c.cap.window, summaryIntervalMs: c.cap.summaryInterval },
  };
  return c.type === 'slack'
    ? createSlackReceiver({
        name: c.name,
        url: c.url,
        linkTemplate: c.linkTemplate,
        timeoutMs: c.timeout,
        minIntervalMs: c.minInterval,
        limits,
      })
    : createWebhookReceiver({
        name: c.name,
        url: c.url,
        secret: c.secret,
        timeoutMs: c.timeout,
        minIntervalMs: c.minInterval,
        headers: c.headers,
        limits,
      });
}
