import { shippedBook } from '@cctap/prices';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '@cctap/kit/internal';
import { withCentralCost } from '../engine/central-cost.js';
import { RuleEngine } from '../engine/rule-engine.js';
import { fromDerived, fromEvent } from '../engine/inputs.js';
import type { EngineInput, Signal } from '../engine/signal.js';
import { buildRuleSet } from '../rules/load-rules.js';
import { bashCall, fileCall, makeDerived, makeEvent } from '../testing/contract-events.js';
import { RULE_PACK } from './default-pack.js';

const T0 = Date.parse('2026-03-02T10:00:00.000Z');

function setup() {
  const clock = new ManualClock(T0);
  const rs = buildRuleSet({}, { env: {} });
  const engine = new RuleEngine({ rules: rs.rules, clock, maxEventAgeMs: rs.maxEventAgeMs });
  const fired = (inputs: EngineInput[]): Signal[] =>
    inputs.flatMap((i) => engine.ingest(i)).filter((s) => s.status === 'firing');
  return { clock, engine, fired };
}
const rulesOf = (signals: Signal[]) => [...new Set(signals.map((s) => s.rule.name))].sort();
// As the alerter ingests them: assistant responses costed from the shipped book.
const ev = (e: Parameters<typeof fromEvent>[0]) => withCentralCost(shippedBook(), fromEvent(e));

describe('the shipped rule pack', () => {
  it('validates and every rule is tested below', () => {
    const names = RULE_PACK.map((r) => r.name as string).sort();
    expect(names).toEqual([
      'api-error',
      'automode-blocked',
      'bypass-permissions',
      'context-high',
      'daily-user-cost',
      'dangerous-command',
      'error-burst',
      'guard-error',
      'host-silent',
      'long-session',
      'loop-detected',
      'quota-high',
      'rate-limit',
      'risky-command',
      'secret-file-access',
      'session-cost',
      'session-tokens',
      'unpriced-model',
      'waiting-input',
    ]);
  });

  it('dangerous-command: destructive commands, in payload.command or only in the tool input', () => {
    const { fired } = setup();
    const ts = T0;
    expect(rulesOf(fired([ev(bashCall('cd /tmp && rm -rf ~', { ts }))]))).toEqual(['dangerous-command']);
    const inputOnly = makeEvent(
      'tool.call',
      { name: 'Bash', input: { command: 'git push --force origin main' }, command: null },
      { ts },
    );
    const s = fired([ev(inputOnly)]);
    expect(rulesOf(s)).toEqual(['dangerous-command']);
    expect(s[0]!.evidence!.findings).toEqual(['git-push-force']);
    expect(
      rulesOf(
        fired([ev(bashCall('rm -rf node_modules && npm ci', { ts })), ev(bashCall('git push origin main', { ts }))]),
      ),
    ).toEqual([]);
  });

  it('risky-command: sudo and --force-with-lease, not plain commands', () => {
    const { fired } = setup();
    expect(rulesOf(fired([ev(bashCall('sudo systemctl restart nginx', { ts: T0 }))]))).toEqual(['risky-command']);
    expect(rulesOf(fired([ev(bashCall('git push --force-with-lease', { ts: T0 }))]))).toEqual(['risky-command']);
    expect(rulesOf(fired([ev(bashCall('systemctl status nginx', { ts: T0 }))]))).toEqual([]);
  });

  it('secret-file-access: file tools and shell commands', () => {
    const { fired } = setup();
    expect(rulesOf(fired([ev(fileCall('Read', '/home/alice/proj/.env', { ts: T0 }))]))).toEqual(['secret-file-access']);
    expect(rulesOf(fired([ev(fileCall('Write', '/home/alice/.ssh/id_rsa', { ts: T0 }))]))).toEqual([
      'secret-file-access',
    ]);
    expect(rulesOf(fired([ev(bashCall('cat ~/.aws/credentials', { ts: T0 }))]))).toEqual(['secret-file-access']);
    expect(
      rulesOf(
        fired([
          ev(fileCall('Read', '/home/alice/proj/.env.example', { ts: T0 })),
          ev(bashCall('cat README.md', { ts: T0 })),
        ]),
      ),
    ).toEqual([]);
  });

  it('automode-blocked: auto-mode blocks, not other denials', () => {
    const { fired } = setup();
    expect(rulesOf(fired([ev(makeEvent('denial', { kind: 'automode-blocked' }, { ts: T0 }))]))).toEqual([
      'automode-blocked',
    ]);
    const others = (
      ['user-rejected', 'permission-rule', 'automode-unavailable', 'automode-parsing-error'] as const
    ).map((kind) => ev(makeEvent('denial', { kind }, { ts: T0 })));
    expect(rulesOf(fired(others))).toEqual([]);
  });

  it('bypass-permissions: only that mode', () => {
    const { fired } = setup();
    expect(rulesOf(fired([ev(makeEvent('prompt', { permissionMode: 'bypassPermissions' }, { ts: T0 }))]))).toEqual([
      'bypass-permissions',
    ]);
    expect(rulesOf(fired([ev(makeEvent('prompt', { permissionMode: 'acceptEdits' }, { ts: T0 }))]))).toEqual([]);
  });

  it('api-error: final failures only, not retries', () => {
    const { fired } = setup();
    expect(rulesOf(fired([ev(makeEvent('api.error', { final: true }, { ts: T0 }))]))).toEqual(['api-error']);
    expect(
      rulesOf(fired([ev(makeEvent('api.error', { final: false, retryAttempt: 1, maxRetries: 10 }, { ts: T0 }))])),
    ).toEqual([]);
  });

  it('rate-limit: any limit event; other system lines do not fire', () => {
    const { fired } = setup();
    expect(rulesOf(fired([ev(makeEvent('rate_limit', {}, { ts: T0 }))]))).toEqual(['rate-limit']);
    expect(rulesOf(fired([ev(makeEvent('system', { subtype: 'api_error' }, { ts: T0 }))]))).toEqual([]);
  });

  it('quota-high: a 5-hour or 7-day window at 90% and above, one alert per user and window; the context window does not count', () => {
    const { fired } = setup();
    const quota = (window: 'five_hour' | 'seven_day' | 'context', usedPercentage: number) =>
      ev(makeEvent('quota', { window, usedPercentage }, { ts: T0 }));
    expect(rulesOf(fired([quota('five_hour', 89.9), quota('seven_day', 50), quota('context', 99)]))).toEqual([]);
    const s = fired([quota('five_hour', 90), quota('seven_day', 97.5)]);
    expect(rulesOf(s)).toEqual(['quota-high']);
    expect(s.map((x) => x.labels['payload.window']).sort()).toEqual(['five_hour', 'seven_day']);
  });

  it('guard-error: a guard decision with an error, one alert per host; a judged decision does not fire', () => {
    const { fired } = setup();
    const decision = (host: string, error: string | null) =>
      ev(makeEvent('guard', { decision: error ? 'allow' : 'deny', error }, { ts: T0, host }));
    expect(rulesOf(fired([decision('laptop-1', null)]))).toEqual([]);
    const s = fired([decision('laptop-1', 'the hook input on stdin is not JSON'), decision('laptop-2', 'x')]);
    expect(rulesOf(s)).toEqual(['guard-error']);
    expect(s.map((x) => x.labels.host).sort()).toEqual(['laptop-1', 'laptop-2']);
  });

  it('error-burst, loop-detected: the derived kinds fire, other kinds do not', () => {
    const { fired } = setup();
    expect(rulesOf(fired([fromDerived(makeDerived('error.burst', {}, { ts: T0 }))]))).toEqual(['error-burst']);
    expect(rulesOf(fired([fromDerived(makeDerived('loop.detected', {}, { ts: T0 }))]))).toEqual(['loop-detected']);
    expect(rulesOf(fired([fromDerived(makeDerived('session.idle', {}, { ts: T0 }))]))).toEqual([]);
  });

  it('context-high: at 80% and above', () => {
    const { fired } = setup();
    expect(rulesOf(fired([fromDerived(makeDerived('context.high', { ratio: 0.8 }, { ts: T0 }))]))).toEqual([
      'context-high',
    ]);
    expect(rulesOf(fired([fromDerived(makeDerived('context.high', { ratio: 0.79 }, { ts: T0 }))]))).toEqual([]);
  });

  it('waiting-input: 10 minutes or more', () => {
    const { fired } = setup();
    expect(rulesOf(fired([fromDerived(makeDerived('waiting.input', { waitedMs: 600_000 }, { ts: T0 }))]))).toEqual([
      'waiting-input',
    ]);
    expect(rulesOf(fired([fromDerived(makeDerived('waiting.input', { waitedMs: 599_999 }, { ts: T0 }))]))).toEqual([]);
  });

  /** A response the book prices at `usd`: Opus 4.5 output costs $25 per million tokens (40,000 tokens a dollar). */
  const assistant = (
    usd: number,
    messageId: string,
    env: { ts: number; sessionId?: string; user?: string },
    o: { input?: number; model?: string } = {},
  ) =>
    ev(
      makeEvent(
        'assistant',
        {
          messageId,
          model: o.model ?? 'claude-opus-4-5',
          usage: {
            input: o.input ?? 0,
            output: Math.round(usd * 40_000),
            cacheCreation: 0,
            cacheRead: 0,
            cacheCreation5m: 0,
            cacheCreation1h: 0,
            webSearchRequests: 0,
            webFetchRequests: 0,
          },
        },
        env,
      ),
    );

  it('session-cost: fires at $50, counting each response once at its largest line', () => {
    const { fired } = setup();
    // Three lines of one response (streamed) must count $20 once, not $60.
    const lines = [assistant(5, 'm1', { ts: T0 }), assistant(20, 'm1', { ts: T0 }), assistant(20, 'm1', { ts: T0 })];
    expect(rulesOf(fired(lines))).toEqual([]);
    expect(rulesOf(fired([assistant(29.99, 'm2', { ts: T0 })]))).toEqual([]);
    const s = fired([assistant(0.02, 'm3', { ts: T0 })]);
    expect(rulesOf(s)).toEqual(['session-cost']);
    expect(s[0]!.evidence!.value).toBeCloseTo(50.01, 6);
  });

  it("session-cost: the cost is the book's, never the one a host sent", () => {
    const { fired } = setup();
    const hostSays100 = makeEvent(
      'assistant',
      { messageId: 'h1', model: 'claude-opus-4-5', cost: { usd: 100, unpriced: false, priceVersion: 'host' } },
      { ts: T0, sessionId: 's-host' },
    );
    const input = ev(hostSays100);
    expect((input.payload as { cost: { priceVersion: string } }).cost.priceVersion).toBe(shippedBook().version);
    expect(rulesOf(fired([input]))).toEqual([]);
  });

  it('unpriced-model: a response of a model the book does not know, grouped by model', () => {
    const { fired } = setup();
    const s = fired([
      assistant(1, 'u1', { ts: T0, sessionId: 'a' }, { model: 'claude-opus-4-9' }),
      assistant(1, 'u2', { ts: T0, sessionId: 'b' }, { model: 'claude-opus-4-9' }),
    ]);
    expect(rulesOf(s)).toEqual(['unpriced-model']);
    expect(new Set(s.map((x) => x.key))).toEqual(new Set(['unpriced-model|payload.model=claude-opus-4-9']));
    expect(s[0]!.labels).toEqual({ 'payload.model': 'claude-opus-4-9' });
    expect(rulesOf(fired([assistant(1, 'p1', { ts: T0 }, { model: 'claude-opus-5-5' })]))).toEqual([]);
    const synthetic = makeEvent('assistant', { messageId: 's1', model: '<synthetic>', synthetic: true }, { ts: T0 });
    expect(rulesOf(fired([ev(synthetic)]))).toEqual([]);
  });

  it('session-tokens: 10M tokens in a session', () => {
    const { fired } = setup();
    // Claude 3 Haiku: 10M input tokens cost $2.50, far from the cost rules.
    expect(
      rulesOf(
        fired([assistant(0, 'a', { ts: T0, sessionId: 's-tok' }, { input: 9_999_999, model: 'claude-3-haiku' })]),
      ),
    ).toEqual([]);
    expect(
      rulesOf(fired([assistant(0, 'b', { ts: T0, sessionId: 's-tok' }, { input: 1, model: 'claude-3-haiku' })])),
    ).toEqual(['session-tokens']);
  });

  it('daily-user-cost: $200 per user per UTC day, summed over sessions', () => {
    const { fired, clock } = setup();
    const day = Date.parse('2026-03-02T23:00:00.000Z');
    clock.set(day);
    expect(
      rulesOf(
        fired([
          assistant(45, 'x1', { ts: day, sessionId: 'a', user: 'bob' }),
          assistant(45, 'x2', { ts: day, sessionId: 'b', user: 'bob' }),
          assistant(45, 'x3', { ts: day, sessionId: 'c', user: 'bob' }),
          assistant(45, 'x4', { ts: day, sessionId: 'd', user: 'bob' }),
        ]),
      ),
    ).toEqual([]);
    const s = fired([assistant(20, 'x6', { ts: day, sessionId: 'f', user: 'bob' })]);
    expect(rulesOf(s)).toEqual(['daily-user-cost']);
    // Another user's spend is separate, and the next UTC day starts from zero.
    expect(rulesOf(fired([assistant(190, 'y1', { ts: day, sessionId: 'g', user: 'carol' })]))).not.toContain(
      'daily-user-cost',
    );
    clock.set(day + 2 * 3_600_000);
    expect(rulesOf(fired([assistant(15, 'y2', { ts: clock.now(), sessionId: 'h', user: 'carol' })]))).not.toContain(
      'daily-user-cost',
    );
    expect(s[0]!.labels).toEqual({ user: 'bob' });
  });

  it('long-session: more than 4.5 h between first and last event', () => {
    const { fired, clock } = setup();
    expect(rulesOf(fired([ev(makeEvent('prompt', {}, { ts: T0, sessionId: 'long' }))]))).toEqual([]);
    clock.set(T0 + 4.5 * 3_600_000);
    expect(rulesOf(fired([ev(makeEvent('prompt', {}, { ts: clock.now(), sessionId: 'long' }))]))).toEqual([]);
    clock.advance(1000);
    expect(rulesOf(fired([ev(makeEvent('tool.result', {}, { ts: clock.now(), sessionId: 'long' }))]))).toEqual([
      'long-session',
    ]);
  });

  it('host-silent: no heartbeat for 15 minutes; the next heartbeat resolves it', () => {
    const { engine, clock } = setup();
    engine.ingest(ev(makeEvent('heartbeat', {}, { ts: T0, host: 'box1' })));
    clock.set(T0 + 14 * 60_000);
    expect(engine.tick()).toEqual([]);
    engine.ingest(ev(makeEvent('heartbeat', {}, { ts: clock.now(), host: 'box1' })));
    clock.advance(15 * 60_000);
    const s = engine.tick();
    expect(s.map((x) => [x.rule.name, x.status, x.labels.host])).toEqual([['host-silent', 'firing', 'box1']]);
    const r = engine.ingest(ev(makeEvent('heartbeat', {}, { ts: clock.now(), host: 'box1' })));
    expect(r.map((x) => [x.rule.name, x.status])).toEqual([['host-silent', 'resolved']]);
  });

  it('old events (backfill) never fire', () => {
    const { fired } = setup();
    expect(rulesOf(fired([ev(bashCall('rm -rf /', { ts: T0 - 2 * 3_600_000 }))]))).toEqual([]);
  });
});
