import { describe, expect, it } from 'vitest';
import { RuleEngine } from '../engine/rule-engine.js';
import { fromDerived, fromEvent } from '../engine/inputs.js';
import type { EngineInput, Signal } from '../engine/signal.js';
import { buildRuleSet } from '../rules/load-rules.js';
import { bashCall, fileCall, makeDerived, makeEvent } from '../testing/contract-events.js';
import { RULE_PACK } from './default-pack.js';

const T0 = Date.parse('2026-03-02T10:00:00.000Z');

function setup() {
  const clock = { t: T0, now() { return this.t; } };
  const rs = buildRuleSet({}, { env: {} });
  const engine = new RuleEngine({ rules: rs.rules, clock, maxEventAgeMs: rs.maxEventAgeMs });
  const fired = (inputs: EngineInput[]): Signal[] => inputs.flatMap((i) => engine.ingest(i)).filter((s) => s.status === 'firing');
  return { clock, engine, fired };
}
const rulesOf = (signals: Signal[]) => [...new Set(signals.map((s) => s.rule.name))].sort();
const ev = (e: Parameters<typeof fromEvent>[0]) => fromEvent(e);

describe('the shipped rule pack', () => {
  it('validates and every rule is tested below', () => {
    const names = RULE_PACK.map((r) => r.name as string).sort();
    expect(names).toEqual(['api-error', 'automode-blocked', 'bypass-permissions', 'context-high', 'daily-user-cost', 'dangerous-command', 'error-burst', 'host-silent',
      'long-session', 'loop-detected', 'rate-limit', 'risky-command', 'secret-file-access', 'session-cost', 'session-tokens', 'waiting-input']);
  });

  it('dangerous-command: destructive commands, in payload.command or only in the tool input', () => {
    const { fired } = setup();
    const ts = T0;
    expect(rulesOf(fired([ev(bashCall('cd /tmp && rm -rf ~', { ts }))]))).toEqual(['dangerous-command']);
    const inputOnly = makeEvent('tool.call', { name: 'Bash', input: { command: 'git push --force origin main' }, command: null }, { ts });
    const s = fired([ev(inputOnly)]);
    expect(rulesOf(s)).toEqual(['dangerous-command']);
    expect(s[0]!.evidence!.findings).toEqual(['git-push-force']);
    expect(rulesOf(fired([ev(bashCall('rm -rf node_modules && npm ci', { ts })), ev(bashCall('git push origin main', { ts }))]))).toEqual([]);
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
    expect(rulesOf(fired([ev(fileCall('Write', '/home/alice/.ssh/id_rsa', { ts: T0 }))]))).toEqual(['secret-file-access']);
    expect(rulesOf(fired([ev(bashCall('cat ~/.aws/credentials', { ts: T0 }))]))).toEqual(['secret-file-access']);
    expect(rulesOf(fired([ev(fileCall('Read', '/home/alice/proj/.env.example', { ts: T0 })), ev(bashCall('cat README.md', { ts: T0 }))]))).toEqual([]);
  });

  it('automode-blocked: auto-mode blocks, not other denials', () => {
    const { fired } = setup();
    expect(rulesOf(fired([ev(makeEvent('denial', { kind: 'automode-blocked' }, { ts: T0 }))]))).toEqual(['automode-blocked']);
    const others = (['user-rejected', 'permission-rule', 'automode-unavailable', 'automode-parsing-error'] as const).map((kind) => ev(makeEvent('denial', { kind }, { ts: T0 })));
    expect(rulesOf(fired(others))).toEqual([]);
  });

  it('bypass-permissions: only that mode', () => {
    const { fired } = setup();
    expect(rulesOf(fired([ev(makeEvent('prompt', { permissionMode: 'bypassPermissions' }, { ts: T0 }))]))).toEqual(['bypass-permissions']);
    expect(rulesOf(fired([ev(makeEvent('prompt', { permissionMode: 'acceptEdits' }, { ts: T0 }))]))).toEqual([]);
  });

  it('api-error: final failures only, not retries', () => {
    const { fired } = setup();
    expect(rulesOf(fired([ev(makeEvent('api.error', { final: true }, { ts: T0 }))]))).toEqual(['api-error']);
    expect(rulesOf(fired([ev(makeEvent('api.error', { final: false, retryAttempt: 1, maxRetries: 10 }, { ts: T0 }))]))).toEqual([]);
  });

  it('rate-limit: any limit event; other system lines do not fire', () => {
    const { fired } = setup();
    expect(rulesOf(fired([ev(makeEvent('rate_limit', {}, { ts: T0 }))]))).toEqual(['rate-limit']);
    expect(rulesOf(fired([ev(makeEvent('system', { subtype: 'api_error' }, { ts: T0 }))]))).toEqual([]);
  });

  it('error-burst, loop-detected: the derived kinds fire, other kinds do not', () => {
    const { fired } = setup();
    expect(rulesOf(fired([fromDerived(makeDerived('error.burst', {}, { ts: T0 }))]))).toEqual(['error-burst']);
    expect(rulesOf(fired([fromDerived(makeDerived('loop.detected', {}, { ts: T0 }))]))).toEqual(['loop-detected']);
    expect(rulesOf(fired([fromDerived(makeDerived('session.idle', {}, { ts: T0 }))]))).toEqual([]);
  });

  it('context-high: at 80% and above', () => {
    const { fired } = setup();
    expect(rulesOf(fired([fromDerived(makeDerived('context.high', { ratio: 0.8 }, { ts: T0 }))]))).toEqual(['context-high']);
    expect(rulesOf(fired([fromDerived(makeDerived('context.high', { ratio: 0.79 }, { ts: T0 }))]))).toEqual([]);
  });

  it('waiting-input: 10 minutes or more', () => {
    const { fired } = setup();
    expect(rulesOf(fired([fromDerived(makeDerived('waiting.input', { waitedMs: 600_000 }, { ts: T0 }))]))).toEqual(['waiting-input']);
    expect(rulesOf(fired([fromDerived(makeDerived('waiting.input', { waitedMs: 599_999 }, { ts: T0 }))]))).toEqual([]);
  });

  const assistant = (usd: number, messageId: string, env: { ts: number; sessionId?: string; user?: string }, tokens = 10) =>
    ev(makeEvent('assistant', { messageId, cost: { usd, unpriced: false, priceVersion: 't' }, usage: { input: tokens, output: 0, cacheCreation: 0, cacheRead: 0, cacheCreation5m: 0, cacheCreation1h: 0, webSearchRequests: 0, webFetchRequests: 0 } }, env));

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

  it('session-tokens: 10M tokens in a session', () => {
    const { fired } = setup();
    expect(rulesOf(fired([assistant(0, 'a', { ts: T0, sessionId: 's-tok' }, 9_999_999)]))).toEqual([]);
    expect(rulesOf(fired([assistant(0, 'b', { ts: T0, sessionId: 's-tok' }, 1)]))).toEqual(['session-tokens']);
  });

  it('daily-user-cost: $200 per user per UTC day, summed over sessions', () => {
    const { fired, clock } = setup();
    const day = Date.parse('2026-03-02T23:00:00.000Z');
    clock.t = day;
    expect(rulesOf(fired([assistant(45, 'x1', { ts: day, sessionId: 'a', user: 'bob' }), assistant(45, 'x2', { ts: day, sessionId: 'b', user: 'bob' }),
      assistant(45, 'x3', { ts: day, sessionId: 'c', user: 'bob' }), assistant(45, 'x4', { ts: day, sessionId: 'd', user: 'bob' })]))).toEqual([]);
    const s = fired([assistant(20, 'x6', { ts: day, sessionId: 'f', user: 'bob' })]);
    expect(rulesOf(s)).toEqual(['daily-user-cost']);
    // Another user's spend is separate, and the next UTC day starts from zero.
    expect(rulesOf(fired([assistant(190, 'y1', { ts: day, sessionId: 'g', user: 'carol' })]))).not.toContain('daily-user-cost');
    clock.t = day + 2 * 3_600_000;
    expect(rulesOf(fired([assistant(15, 'y2', { ts: clock.t, sessionId: 'h', user: 'carol' })]))).not.toContain('daily-user-cost');
    expect(s[0]!.labels).toEqual({ user: 'bob' });
  });

  it('long-session: more than 4.5 h between first and last event', () => {
    const { fired, clock } = setup();
    expect(rulesOf(fired([ev(makeEvent('prompt', {}, { ts: T0, sessionId: 'long' }))]))).toEqual([]);
    clock.t = T0 + 4.5 * 3_600_000;
    expect(rulesOf(fired([ev(makeEvent('prompt', {}, { ts: clock.t, sessionId: 'long' }))]))).toEqual([]);
    clock.t += 1000;
    expect(rulesOf(fired([ev(makeEvent('tool.result', {}, { ts: clock.t, sessionId: 'long' }))]))).toEqual(['long-session']);
  });

  it('host-silent: no heartbeat for 15 minutes; the next heartbeat resolves it', () => {
    const { engine, clock } = setup();
    engine.ingest(ev(makeEvent('heartbeat', {}, { ts: T0, host: 'box1' })));
    clock.t = T0 + 14 * 60_000;
    expect(engine.tick()).toEqual([]);
    engine.ingest(ev(makeEvent('heartbeat', {}, { ts: clock.t, host: 'box1' })));
    clock.t += 15 * 60_000;
    const s = engine.tick();
    expect(s.map((x) => [x.rule.name, x.status, x.labels.host])).toEqual([['host-silent', 'firing', 'box1']]);
    const r = engine.ingest(ev(makeEvent('heartbeat', {}, { ts: clock.t, host: 'box1' })));
    expect(r.map((x) => [x.rule.name, x.status])).toEqual([['host-silent', 'resolved']]);
  });

  it('old events (backfill) never fire', () => {
    const { fired } = setup();
    expect(rulesOf(fired([ev(bashCall('rm -rf /', { ts: T0 - 2 * 3_600_000 }))]))).toEqual([]);
  });
});
