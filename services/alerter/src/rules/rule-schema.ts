/**
 * The alerter's configuration file (YAML or JSON): receivers, defaults, inhibition and rules.
 *
 *   receivers:
 *     - { name: ops, type: webhook, url: "https://…", secret: "${CCTAP_WEBHOOK_SECRET}" }
 *     - { name: team, type: slack, url: "${SLACK_WEBHOOK_URL}", linkTemplate: "https://grafana/…?session={{sessionId}}" }
 *   defaults: { groupWait: 30s, groupInterval: 5m, repeatInterval: 4h, resolveAfter: 5m }
 *   rules:
 *     - name: dangerous-command
 *       kind: match | threshold | absence
 *       source: events | derived         (derived: analyzer output, `types` are derived kinds)
 *       types: [tool.call]
 *       where: [ { field: payload.command, danger: any } ]      all must hold
 *       whereAny: [ … ]                                          at least one must hold
 *       groupBy: [host, sessionId]
 *       guard: deny | ask                  match rules on tool.call: `cctap guard` blocks or asks before the call
 *
 * Threshold rules add `aggregate` (count | sum | span), `value` (field(s) summed), `distinctBy`, `window`
 * (a duration or `utc-day`) and `threshold`; absence rules add `for`.
 */
import { z } from 'zod';
import { DANGER_KINDS } from '../shell/dangerous-commands.js';
import { duration, parseDuration } from './duration.js';

export const SEVERITIES = ['info', 'warning', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];
export const severityRank = (s: Severity): number => SEVERITIES.indexOf(s);

const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const fieldPath = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*$/, 'a dotted field path like payload.command');

const OPS = [
  'equals',
  'notEquals',
  'in',
  'regex',
  'notRegex',
  'gt',
  'gte',
  'lt',
  'lte',
  'exists',
  'danger',
  'secretPath',
  'secretInCommand',
] as const;

export const predicateSchema = z
  .strictObject({
    /** One field, or several: the predicate holds when it holds for any of them. */
    field: z.union([fieldPath, z.array(fieldPath).min(1)]),
    equals: scalar.optional(),
    notEquals: scalar.optional(),
    in: z.array(scalar).optional(),
    regex: z.string().optional(),
    notRegex: z.string().optional(),
    /** Regex flags, `i` by default. */
    flags: z
      .string()
      .regex(/^[imsu]*$/)
      .optional(),
    gt: z.number().optional(),
    gte: z.number().optional(),
    lt: z.number().optional(),
    lte: z.number().optional(),
    exists: z.boolean().optional(),
    /** The field is a shell command with one of these dangerous operations (`any`: all kinds). */
    danger: z.union([z.literal('any'), z.array(z.enum(DANGER_KINDS)).min(1)]).optional(),
    /** The field is a path to a file holding secrets. */
    secretPath: z.literal(true).optional(),
    /** The field is a shell command touching a file holding secrets. */
    secretInCommand: z.literal(true).optional(),
  })
  .superRefine((p, ctx) => {
    const ops = OPS.filter((o) => p[o] !== undefined);
    if (ops.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        message: `needs exactly one operator (${OPS.join(', ')}), got ${ops.length ? ops.join(', ') : 'none'}`,
      });
    }
    for (const key of ['regex', 'notRegex'] as const) {
      const src = p[key];
      if (src === undefined) continue;
      try {
        new RegExp(src, p.flags ?? 'i');
      } catch (err) {
        ctx.addIssue({ code: 'custom', path: [key], message: `invalid regex: ${(err as Error).message}` });
      }
    }
  });
export type Predicate = z.infer<typeof predicateSchema>;

const timing = {
  groupWait: duration.optional(),
  groupInterval: duration.optional(),
  repeatInterval: duration.optional(),
  /** A firing alert nobody re-asserts for this long resolves (match alerts: time since the last match). */
  resolveAfter: duration.optional(),
};

const ruleBase = {
  name: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'lowercase letters, digits, - and _ (it becomes a subject token)'),
  description: z.string().max(500).optional(),
  enabled: z.boolean().default(true),
  severity: z.enum(SEVERITIES),
  source: z.enum(['events', 'derived']).default('events'),
  /** Event types (source events) or derived kinds (source derived) the rule looks at. */
  types: z.array(z.string().min(1)).min(1),
  where: z.array(predicateSchema).default([]),
  whereAny: z.array(predicateSchema).default([]),
  /** Labels that make one alert: `host`, `user`, `sessionId`, `project`, or any field path. */
  groupBy: z.array(fieldPath).default(['host', 'sessionId']),
  /** One line for humans; `{{label}}`, `{{value}}`, `{{match}}` are filled in. */
  summary: z.string().max(300).optional(),
  /** Receiver names; omitted: every receiver. */
  receivers: z.array(z.string()).optional(),
  ...timing,
};

/** What `cctap guard` answers Claude Code for a tool call this rule matches, before the call runs (docs/guard.md). */
export const GUARD_ACTIONS = ['deny', 'ask'] as const;
export type GuardAction = (typeof GUARD_ACTIONS)[number];

const matchRuleSchema = z
  .strictObject({
    ...ruleBase,
    kind: z.literal('match'),
    /**
     * Also a PreToolUse check: `cctap guard` denies (or makes Claude Code ask about) a tool call this rule
     * matches, before it runs. Only for rules on `tool.call` events, the one type a hook sees.
     */
    guard: z.enum(GUARD_ACTIONS).optional(),
  })
  .superRefine((r, ctx) => {
    if (r.guard !== undefined && (r.source !== 'events' || !r.types.includes('tool.call')))
      ctx.addIssue({
        code: 'custom',
        path: ['guard'],
        message: 'guard applies to rules on tool.call events only (the one type Claude Code checks before it runs)',
      });
  });

export const thresholdRuleSchema = z
  .strictObject({
    ...ruleBase,
    kind: z.literal('threshold'),
    aggregate: z.enum(['count', 'sum', 'span']).default('count'),
    /** For `sum`: the field (or fields, added) whose value is summed. */
    value: z.union([fieldPath, z.array(fieldPath).min(1)]).optional(),
    /** Events with the same value of this field count once, with their largest value (default: the event id). */
    distinctBy: fieldPath.optional(),
    window: z.union([z.string(), z.number()]).transform((v, ctx): number | 'utc-day' => {
      if (v === 'utc-day') return v;
      const ms = parseDuration(v);
      if (ms === null || ms === 0) {
        ctx.addIssue({
          code: 'custom',
          message: `not a duration: ${JSON.stringify(v)} (use e.g. 5m, 24h, 7d, or utc-day)`,
        });
        return z.NEVER;
      }
      return ms;
    }),
    threshold: z.number(),
    comparison: z.enum(['gt', 'gte']).default('gte'),
  })
  .superRefine((r, ctx) => {
    if (r.aggregate === 'sum' && r.value === undefined)
      ctx.addIssue({ code: 'custom', path: ['value'], message: 'aggregate sum needs a value field' });
  });

export const absenceRuleSchema = z.strictObject({
  ...ruleBase,
  kind: z.literal('absence'),
  /** Fire when a group saw no matching event for this long. */
  for: duration,
});

export const ruleSchema = z.discriminatedUnion('kind', [matchRuleSchema, thresholdRuleSchema, absenceRuleSchema]);
export type Rule = z.infer<typeof ruleSchema>;
export type ThresholdRule = z.infer<typeof thresholdRuleSchema>;
export type AbsenceRule = z.infer<typeof absenceRuleSchema>;

/**
 * Per receiver, over every rule (Alertmanager's route grouping, plus a cap): notifications whose alerts share
 * the `groupBy` labels go out together, the first `groupWait` after the group had something to send, the next
 * at most every `groupInterval`; at most `cap.alerts` alert notifications per `cap.window`, beyond which
 * alerts are suppressed and told as "N more alerts of rule X suppressed", at most once per
 * `cap.summaryInterval`. The defaults keep delivery immediate and bound a storm.
 */
const receiverLimits = {
  /** Alert labels (`rule`, `host`, any group label) whose equal values make one group; []: one group. */
  groupBy: z.array(fieldPath).default([]),
  groupWait: duration.default(0),
  groupInterval: duration.default(0),
  cap: z
    .strictObject({
      alerts: z.number().int().positive().default(100),
      window: duration.default(3_600_000),
      summaryInterval: duration.default(60_000),
    })
    .default({ alerts: 100, window: 3_600_000, summaryInterval: 60_000 }),
};

const webhookReceiverSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/),
  type: z.literal('webhook'),
  url: z.url(),
  /** HMAC key for X-Cctap-Signature; without it the body is sent unsigned. */
  secret: z.string().min(16).optional(),
  timeout: duration.default(10_000),
  /** Smallest gap between two requests; pending alerts are coalesced into one request meanwhile. */
  minInterval: duration.default(0),
  headers: z.record(z.string(), z.string()).default({}),
  ...receiverLimits,
});

const slackReceiverSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/),
  type: z.literal('slack'),
  url: z.url(),
  /** A link added to each alert, `{{label}}` filled in (e.g. a Grafana dashboard for the session). */
  linkTemplate: z.string().optional(),
  timeout: duration.default(10_000),
  /** Slack allows about one message per second per webhook. */
  minInterval: duration.default(1000),
  ...receiverLimits,
});

export const receiverSchema = z.discriminatedUnion('type', [webhookReceiverSchema, slackReceiverSchema]);
export type ReceiverConfig = z.infer<typeof receiverSchema>;

export const alerterConfigSchema = z.strictObject({
  receivers: z.array(receiverSchema).default([]),
  defaults: z.strictObject(timing).default({}),
  /** Label names a higher-severity alert must share with a lower one to inhibit it. */
  inhibitEqual: z.array(fieldPath).default(['host', 'sessionId']),
  /** Events older than this (by their ts) feed thresholds but never fire an alert: backfill stays quiet. */
  maxEventAge: duration.default(3_600_000),
  /** Include the shipped rule pack (services/alerter/src/rule-pack). Rules with the same name override it. */
  rulePack: z.boolean().default(true),
  /** Turn off shipped rules by name. */
  disable: z.array(z.string()).default([]),
  rules: z.array(z.unknown()).default([]),
});
