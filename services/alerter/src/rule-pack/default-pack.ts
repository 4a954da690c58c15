/**
 * The shipped rule pack, on by default (`rulePack: false` turns it off, `disable: [name]` drops one rule, a
 * rule of the same name in the config file replaces it). Thresholds follow the project's seeds: context 80%,
 * sessions longer than 4.5 h, session cost $50. Costs (`payload.cost`) are computed by the alerter from the
 * central price book (engine/central-cost.ts).
 *
 * Timing: critical rules notify at once (`groupWait: 0`) - an `rm -rf ~` is worth a message now, not in
 * 30 s; later matches of the same session are folded into updates every minute.
 */
import type { DangerKind } from '../shell/dangerous-commands.js';

const COMMAND_FIELDS = ['payload.command', 'payload.input.command'];
const PATH_FIELDS = ['payload.filePath', 'payload.input.file_path', 'payload.input.path', 'payload.input.notebook_path'];

const CRITICAL_DANGERS: DangerKind[] = ['rm-rf-broad', 'git-push-force', 'git-reset-hard', 'curl-pipe-shell', 'chmod-777-recursive', 'sql-drop', 'disk-write'];
const RISKY_DANGERS: DangerKind[] = ['sudo', 'git-push-force-with-lease'];

/** Raw rule objects, validated by the same schema as a user's rules file. */
export const RULE_PACK: readonly Record<string, unknown>[] = [
  {
    name: 'dangerous-command',
    description: 'A destructive shell command was run or attempted (rm -rf on broad paths, force push, reset --hard, curl | sh, chmod -R 777, DROP TABLE, disk writes).',
    kind: 'match', severity: 'critical', types: ['tool.call'],
    whereAny: [{ field: COMMAND_FIELDS, danger: CRITICAL_DANGERS }],
    groupBy: ['host', 'sessionId'],
    summary: 'Dangerous command ({{match}}) on {{host}}',
    groupWait: '0s', groupInterval: '1m', resolveAfter: '30m',
  },
  {
    name: 'risky-command',
    description: 'sudo, or git push --force-with-lease.',
    kind: 'match', severity: 'warning', types: ['tool.call'],
    whereAny: [{ field: COMMAND_FIELDS, danger: RISKY_DANGERS }],
    groupBy: ['host', 'sessionId'],
    summary: 'Risky command ({{match}}) on {{host}}',
    groupWait: '10s', groupInterval: '5m', resolveAfter: '30m',
  },
  {
    name: 'secret-file-access',
    description: 'A file holding secrets (.env, private keys, *.pem, cloud and package credentials) was read or written.',
    kind: 'match', severity: 'warning', types: ['tool.call'],
    whereAny: [
      { field: PATH_FIELDS, secretPath: true },
      { field: COMMAND_FIELDS, secretInCommand: true },
    ],
    groupBy: ['host', 'sessionId'],
    summary: 'Secret file touched ({{match}}) on {{host}}',
    groupWait: '10s', groupInterval: '5m', resolveAfter: '30m',
  },
  {
    name: 'bypass-permissions',
    description: 'A session switched its permission mode to bypassPermissions.',
    kind: 'match', severity: 'warning', types: ['prompt'],
    where: [{ field: 'payload.permissionMode', equals: 'bypassPermissions' }],
    groupBy: ['host', 'sessionId'],
    summary: 'Permission checks bypassed in a session on {{host}}',
    groupWait: '10s', resolveAfter: '2h',
  },
  {
    name: 'automode-blocked',
    description: "Auto mode's classifier blocked a tool call (Claude Code 2.1.193+ records why): the agent tried something the policy forbids.",
    kind: 'match', severity: 'warning', types: ['denial'],
    where: [{ field: 'payload.kind', equals: 'automode-blocked' }],
    groupBy: ['host', 'sessionId'],
    summary: 'Auto mode blocked a tool call on {{host}}',
    groupWait: '10s', groupInterval: '5m', resolveAfter: '30m',
  },
  {
    name: 'api-error',
    description: 'An API request failed for good (after the client gave up retrying).',
    kind: 'match', severity: 'warning', types: ['api.error'],
    where: [{ field: 'payload.final', equals: true }],
    groupBy: ['host', 'sessionId'],
    summary: 'API error on {{host}}',
  },
  {
    name: 'rate-limit',
    description: 'A usage or rate limit was reached.',
    kind: 'match', severity: 'warning', types: ['rate_limit'],
    groupBy: ['user'],
    summary: 'Usage limit reached by {{user}}',
    resolveAfter: '1h',
  },
  {
    // Readings come from `cctap statusline` (Claude Code's status-line input, Pro/Max plans), one per change.
    name: 'quota-high',
    description: 'A subscription usage window (5-hour or 7-day) is 90% used or more: the next limit is near.',
    kind: 'match', severity: 'warning', types: ['quota'],
    where: [{ field: 'payload.window', in: ['five_hour', 'seven_day'] }, { field: 'payload.usedPercentage', gte: 90 }],
    groupBy: ['user', 'payload.window'],
    summary: '{{user}} has used 90% or more of the {{payload.window}} quota',
    resolveAfter: '1h',
  },
  {
    name: 'error-burst',
    description: 'Many tool or API errors in a short window (analyzer).',
    kind: 'match', severity: 'warning', source: 'derived', types: ['error.burst'],
    groupBy: ['host', 'sessionId'],
    summary: 'Error burst on {{host}}',
  },
  {
    name: 'loop-detected',
    description: 'The same tool call repeated with the same input (analyzer).',
    kind: 'match', severity: 'warning', source: 'derived', types: ['loop.detected'],
    groupBy: ['host', 'sessionId'],
    summary: 'Tool loop detected on {{host}}',
  },
  {
    name: 'context-high',
    description: 'The context window is 80% full or more.',
    kind: 'match', severity: 'info', source: 'derived', types: ['context.high'],
    where: [{ field: 'payload.ratio', gte: 0.8 }],
    groupBy: ['host', 'sessionId'],
    summary: 'Context window over 80% on {{host}}',
    resolveAfter: '30m',
  },
  {
    name: 'waiting-input',
    description: 'A session has been waiting for the user for 10 minutes or more.',
    kind: 'match', severity: 'info', source: 'derived', types: ['waiting.input'],
    where: [{ field: 'payload.waitedMs', gte: 600_000 }],
    groupBy: ['host', 'sessionId'],
    summary: 'Session waiting for input on {{host}}',
  },
  {
    name: 'session-cost',
    description: 'A session cost $50 or more (each API response counted once, at its largest usage line).',
    kind: 'threshold', severity: 'warning', types: ['assistant'],
    aggregate: 'sum', value: 'payload.cost.usd', distinctBy: 'payload.messageId',
    window: '2d', threshold: 50,
    groupBy: ['host', 'sessionId'],
    summary: 'Session cost ${{value}} on {{host}}',
    resolveAfter: '24h',
  },
  {
    // Its cost is missing from every total (shown as unpriced, never $0) until the book has a price: one
    // alert per model, the day it is first seen, not one per response or session.
    name: 'unpriced-model',
    description: 'Responses of a model the price book has no price for (add it with --prices FILE / CCTAP_PRICES, or `cctap prices update`).',
    kind: 'match', severity: 'warning', types: ['assistant'],
    where: [{ field: 'payload.cost.unpriced', equals: true }, { field: 'payload.synthetic', equals: false }],
    groupBy: ['payload.model'],
    summary: 'No price for model {{payload.model}}: its usage is not in any cost',
    groupWait: '0s', groupInterval: '7d', repeatInterval: '7d', resolveAfter: '7d',
  },
  {
    name: 'session-tokens',
    description: 'A session used 10M tokens or more (input + output + cache writes; cheap cache reads excluded).',
    kind: 'threshold', severity: 'info', types: ['assistant'],
    aggregate: 'sum', value: ['payload.usage.input', 'payload.usage.output', 'payload.usage.cacheCreation'], distinctBy: 'payload.messageId',
    window: '2d', threshold: 10_000_000,
    groupBy: ['host', 'sessionId'],
    summary: 'Session used {{value}} tokens on {{host}}',
    resolveAfter: '24h',
  },
  {
    name: 'daily-user-cost',
    description: 'A user spent $200 or more today (UTC).',
    kind: 'threshold', severity: 'warning', types: ['assistant'],
    aggregate: 'sum', value: 'payload.cost.usd', distinctBy: 'payload.messageId',
    window: 'utc-day', threshold: 200,
    groupBy: ['user'],
    summary: '{{user}} spent ${{value}} today',
    resolveAfter: '24h',
  },
  {
    name: 'long-session',
    description: 'A session has been active for more than 4.5 hours (span between its first and last event).',
    kind: 'threshold', severity: 'info', types: ['prompt', 'assistant', 'tool.call', 'tool.result'],
    aggregate: 'span', window: '24h', threshold: 16_200, comparison: 'gt',
    groupBy: ['host', 'sessionId'],
    summary: 'Session running for {{value}} s on {{host}}',
    resolveAfter: '2h',
  },
  {
    name: 'host-silent',
    description: 'No heartbeat from a host for 15 minutes: its collector stopped or lost the network.',
    kind: 'absence', severity: 'warning', types: ['heartbeat'],
    for: '15m',
    groupBy: ['host'],
    summary: 'No heartbeat from {{host}} for 15 min',
    groupWait: '0s',
  },
];
