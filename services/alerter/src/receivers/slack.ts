/**
 * Slack incoming-webhook receiver: one Block Kit message per request, several alerts coalesced into it
 * (Slack allows about one message per second per webhook and answers 429 beyond; see the delivery worker).
 * Shows severity, host, user, project, session, the matched command or path exactly as the event carried it
 * (the collector's privacy mode already applied), and an optional link built from a template.
 */
import type { Alert } from '@cctap/events';
import { renderTemplate } from '../dispatch/alert-message.js';
import { DEFAULT_LIMITS, type Receiver, type ReceiverLimits } from './receiver.js';

export interface SlackReceiverOptions {
  name: string;
  url: string;
  linkTemplate?: string | undefined;
  timeoutMs?: number;
  minIntervalMs?: number;
  limits?: ReceiverLimits;
}

const ICON = { critical: ':red_circle:', warning: ':large_orange_circle:', info: ':large_blue_circle:' } as const;
/** Slack caps a message at 50 blocks; each alert takes up to 4. */
const MAX_ALERTS_SHOWN = 10;

/** Slack mrkdwn treats &, < and > specially. */
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n)}…` : s);

function alertBlocks(a: Alert, linkTemplate: string | undefined): unknown[] {
  const resolved = a.status === 'resolved';
  const title = `${resolved ? ':white_check_mark: RESOLVED' : `${ICON[a.severity]} ${a.severity.toUpperCase()}`} *${esc(a.rule)}*: ${esc(a.summary ?? '')}`;
  const fields = [
    ['Host', a.host],
    ['User', a.user],
    ['Project', a.project],
    ['Session', a.sessionId],
  ]
    .filter(([, v]) => v)
    .map(([k, v]) => ({ type: 'mrkdwn', text: `*${k}*\n${esc(clip(String(v), 200))}` }));
  const blocks: unknown[] = [
    { type: 'section', text: { type: 'mrkdwn', text: clip(title, 2900) }, ...(fields.length ? { fields } : {}) },
  ];
  const shown = a.evidence.command ?? a.evidence.filePath;
  if (shown) {
    // Backticks inside a code block would end it.
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: `\`\`\`${esc(clip(shown, 1500)).replace(/```/g, "'''")}\`\`\`` },
    });
  }
  const context = [`${a.occurrences} occurrence(s) since ${a.startsAt}`];
  if (a.evidence.value !== null)
    context.push(
      `value ${a.evidence.value}${a.evidence.threshold !== null ? ` (threshold ${a.evidence.threshold})` : ''}`,
    );
  if (linkTemplate) {
    const url = renderTemplate(
      linkTemplate,
      {
        labels: a.labels,
        rule: a.rule,
        severity: a.severity,
        evidence: { ...a.evidence, host: a.host, user: a.user, project: a.project, sessionId: a.sessionId },
      },
      encodeURIComponent,
    );
    context.push(`<${url}|open>`);
  }
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: context.join(' · ') }] });
  return blocks;
}

function slackMessage(alerts: readonly Alert[], linkTemplate?: string): { text: string; blocks: unknown[] } {
  const firing = alerts.filter((a) => a.status === 'firing').length;
  const text =
    alerts.length === 1
      ? `[${alerts[0]!.status === 'resolved' ? 'RESOLVED' : alerts[0]!.severity.toUpperCase()}] ${alerts[0]!.rule}: ${alerts[0]!.summary ?? ''}`
      : `${alerts.length} alerts (${firing} firing, ${alerts.length - firing} resolved)`;
  const blocks: unknown[] = [];
  if (alerts.length > 1) blocks.push({ type: 'header', text: { type: 'plain_text', text: clip(text, 150) } });
  alerts.slice(0, MAX_ALERTS_SHOWN).forEach((a, i) => {
    if (i > 0) blocks.push({ type: 'divider' });
    blocks.push(...alertBlocks(a, linkTemplate));
  });
  if (alerts.length > MAX_ALERTS_SHOWN) {
    blocks.push({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: `…and ${alerts.length - MAX_ALERTS_SHOWN} more` }],
    });
  }
  return { text: clip(text, 3000), blocks };
}

export function createSlackReceiver(o: SlackReceiverOptions): Receiver {
  return {
    name: o.name,
    type: 'slack',
    minIntervalMs: o.minIntervalMs ?? 1000,
    limits: o.limits ?? DEFAULT_LIMITS,
    maxAlertsPerRequest: 25,
    request(alerts: readonly Alert[]) {
      return {
        url: o.url,
        headers: {},
        body: JSON.stringify(slackMessage(alerts, o.linkTemplate)),
        timeoutMs: o.timeoutMs ?? 10_000,
      };
    },
  };
}
