/**
 * The 2026 transcript format end to end, as a user runs it: `cctap up --once --privacy full` on the synthetic
 * 2.1.121-2.1.332 fixtures (test/fixtures/synthetic-2026), then the store read back with `cctap sql` and
 * `cctap report session --detail --json`. Expectations are counted from the fixture files themselves.
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '@cctap/events';
import { startTestReceiver } from '@cctap/alerter/testing';
import { REPO_ROOT } from '../support/paths.js';
import { waitFor } from '../support/wait-for.js';
import { cli, sqlJson, startUp } from './support/run-cctap.js';

const FIXTURES = join(REPO_ROOT, 'test/fixtures/synthetic-2026');
const session = (n: number) => `7a1c0d2e-2026-4a5b-9c3d-${String(n).padStart(12, '0')}`;

function transcripts(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? transcripts(p) : name.endsWith('.jsonl') ? [p] : [];
  });
}

/** Non-empty lines of every fixture transcript, split on \n only (a NEL inside a string is not a line end). */
const fixtureLines = (): Record<string, unknown>[] =>
  transcripts(FIXTURES).flatMap((f) =>
    readFileSync(f, 'utf8')
      .split('\n')
      .filter((l) => l.length > 0)
      .map((l) => JSON.parse(l) as Record<string, unknown>),
  );

let dir: string;
let root: string;
let data: string;
let upStdout = '';
/** What the store holds, for the checks below: read in one `cctap sql`, each answer a column of one row. */
let stored: Stored;

interface Stored {
  lines: number;
  unknown: number;
  invalid: number;
  /** (kind, denials) by kind. */
  byKind: [string, number][];
  /** (tool_use_id, session_id, kind, tool_name) by tool_use_id. */
  denials: [string, string, string, string][];
  /** (session_id, original_model, fallback_model, retracted_uuids). */
  refusals: [string, string, string, string[]][];
  entrypoints: string[];
  prompt_ids: number;
  efforts: string[];
  cache_missed: number;
  skills: string[];
  mcp_servers: string[];
  depths: number[];
  workflow_events: number;
  journal_events: number;
  secrets: number;
  base64: number;
  longest: number;
}

// Every `cctap sql` opens the embedded store anew (a second or more, more on a busy machine): the questions of
// the checks go in one query, each as its own subquery.
const STORED_SQL = `SELECT
  (SELECT uniqExact(source_path, source_offset) FROM events WHERE type != 'heartbeat') AS lines,
  (SELECT count() FROM events WHERE type IN ('unknown', 'malformed')) AS unknown,
  (SELECT count() FROM invalid_events) AS invalid,
  (SELECT arraySort(groupArray((kind, denials))) FROM
    (SELECT kind, sum(denials) AS denials FROM denials_by_kind GROUP BY kind)) AS byKind,
  (SELECT arraySort(groupArray((tool_use_id, session_id, kind, tool_name))) FROM denials) AS denials,
  (SELECT arraySort(groupArray((session_id, original_model, fallback_model, retracted_uuids))) FROM refusals) AS refusals,
  (SELECT groupUniqArray(entrypoint) FROM events WHERE entrypoint != '') AS entrypoints,
  (SELECT uniqExact(prompt_id) FROM events WHERE prompt_id != '') AS prompt_ids,
  (SELECT groupUniqArray(effort) FROM events WHERE type = 'assistant' AND effort != '') AS efforts,
  (SELECT sum(cache_miss_tokens) FROM events FINAL WHERE cache_miss_reason = 'tools_changed') AS cache_missed,
  (SELECT groupUniqArray(attribution_skill) FROM events WHERE attribution_skill != '') AS skills,
  (SELECT groupUniqArray(attribution_mcp_server) FROM events WHERE attribution_mcp_server != '') AS mcp_servers,
  (SELECT groupUniqArray(spawn_depth) FROM events WHERE spawn_depth > 0) AS depths,
  (SELECT uniqExact(id) FROM events WHERE workflow_run_id = 'wf_1a2b3c4d-5e6') AS workflow_events,
  (SELECT uniqExact(id) FROM events WHERE type = 'meta' AND JSONExtractString(payload, 'lineType') = 'workflow-journal' AND session_id = '${session(4)}') AS journal_events,
  (SELECT countIf(position(payload, 'SECRET') > 0) FROM events) AS secrets,
  (SELECT countIf(position(payload, 'iVBORw0KGgo') > 0 OR position(payload, 'JVBERi0') > 0) FROM events) AS base64,
  (SELECT max(length(payload)) FROM events) AS longest`;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cctap-e2e-2026-'));
  root = join(dir, 'claude');
  data = join(dir, 'data');
  cpSync(FIXTURES, root, { recursive: true });
  const up = startUp([
    '--root',
    root,
    '--data',
    data,
    '--once',
    '--privacy',
    'full',
    '--metrics-port',
    '0',
    '--log-format',
    'json',
    '--status-seconds',
    '0',
  ]);
  const code = await up.exit;
  upStdout = up.stdout();
  if (code !== 0) throw new Error(`cctap up --once exited ${code}:\n${up.stderr().slice(-3000)}`);
  [stored] = (await sqlJson(data, STORED_SQL)) as unknown as [Stored];
}, 120_000);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('2026 transcripts through cctap up --once', () => {
  it('stores every line, nothing unknown, malformed or invalid', async () => {
    const lines = fixtureLines();
    const c = { lines: stored.lines, unknown: stored.unknown, invalid: stored.invalid };
    expect(c).toEqual({ lines: lines.length, unknown: 0, invalid: 0 });
    expect(upStdout).toContain('"msg":"summary"');
  });

  it('denials are queryable by kind, with the tool taken from the call', async () => {
    const want = fixtureLines()
      .filter((l) => typeof l.toolDenialKind === 'string')
      .map((l) => l.toolDenialKind as string)
      .sort();
    expect(want).toEqual(['automode-blocked', 'permission-rule', 'user-rejected']);
    const byKind = stored.byKind.map(([kind, denials]) => ({ kind, denials }));
    expect(byKind).toEqual(want.map((kind) => ({ kind, denials: 1 })));
    const rows = stored.denials.map(([tool_use_id, session_id, kind, tool_name]) => ({
      session_id,
      kind,
      tool_name,
      tool_use_id,
    }));
    expect(rows).toEqual([
      {
        session_id: session(1),
        kind: 'user-rejected',
        tool_name: 'Bash',
        tool_use_id: 'toolu_01AbcRejected0000000001',
      },
      {
        session_id: session(1),
        kind: 'automode-blocked',
        tool_name: 'Bash',
        tool_use_id: 'toolu_01AutoBlocked000000000002',
      },
      {
        session_id: session(1),
        kind: 'permission-rule',
        tool_name: 'Edit',
        tool_use_id: 'toolu_01RuleDenied0000000000003',
      },
    ]);
  });

  it('refusals are queryable with their retracted line uuids', async () => {
    const sys = fixtureLines().find((l) => l.subtype === 'model_refusal_fallback')!;
    const rows = stored.refusals.map(([session_id, original_model, fallback_model, retracted_uuids]) => ({
      session_id,
      original_model,
      fallback_model,
      retracted_uuids,
    }));
    expect(rows).toEqual([
      {
        session_id: session(2),
        original_model: 'claude-fable-5',
        fallback_model: 'claude-opus-4-8',
        retracted_uuids: sys.retractedMessageUuids,
      },
    ]);
  });

  it('keeps the line facts users filter on as columns', async () => {
    const r = stored;
    expect([...(r.entrypoints as unknown as string[])].sort()).toEqual([
      'claude-desktop',
      'claude-vscode',
      'cli',
      'sdk-cli',
    ]);
    expect(r.prompt_ids).toBe(
      new Set(
        fixtureLines()
          .map((l) => l.promptId)
          .filter((p) => typeof p === 'string'),
      ).size,
    );
    expect([...(r.efforts as unknown as string[])].sort()).toEqual(['high', 'medium']);
    expect(r.cache_missed).toBe(14804);
    expect(r.skills).toEqual(['docs-style']);
    expect(r.mcp_servers).toEqual(['docs']);
    expect([...(r.depths as unknown as number[])].sort()).toEqual([1, 2]);
    expect(r.workflow_events).toBeGreaterThan(2);
    expect(r.journal_events).toBe(2);
  });

  it('no header value and no base64 payload reached the store, with --privacy full', async () => {
    const c = { secrets: stored.secrets, base64: stored.base64, longest: stored.longest };
    expect(c).toEqual({ secrets: 0, base64: 0, longest: expect.any(Number) as number });
    expect(c!.longest).toBeLessThan(20_000);
  });

  it('report session (--detail, --json) counts denials by kind and refusals per session', async () => {
    const r = await cli(['report', 'session', '--detail', '--json', '--tz', 'UTC', '--data', data]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as {
      sessions: { sessionId: string; denials: Record<string, number> }[];
      details: {
        sessionId: string;
        denials: Record<string, number>;
        refusals: unknown[];
        analysis: { totals: { denials?: Record<string, number>; refusals?: number } } | null;
      }[];
    };
    const byId = new Map(out.details.map((d) => [d.sessionId, d]));
    // The ccusage-shaped session rows carry the same counts.
    const rows = new Map(out.sessions.map((x) => [x.sessionId, x.denials]));
    expect(rows.get(session(1))).toEqual({ 'automode-blocked': 1, 'permission-rule': 1, 'user-rejected': 1 });
    expect(rows.get(session(2))).toEqual({});
    const s1 = byId.get(session(1))!;
    expect(s1.denials).toEqual({ 'automode-blocked': 1, 'permission-rule': 1, 'user-rejected': 1 });
    expect(s1.analysis!.totals.denials).toEqual({
      'user-rejected': 1,
      'permission-rule': 1,
      'automode-blocked': 1,
      'automode-unavailable': 0,
      'automode-parsing-error': 0,
    });
    const s2 = byId.get(session(2))!;
    expect(s2.refusals).toEqual([{ originalModel: 'claude-fable-5', fallbackModel: 'claude-opus-4-8', count: 1 }]);
    expect(s2.analysis!.totals.refusals).toBe(1);
    expect(byId.get(session(3))!.denials).toEqual({});

    const text = await cli(['report', 'session', '--detail', '--tz', 'UTC', '--data', data]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain('denied tool calls 3: automode-blocked 1, permission-rule 1, user-rejected 1');
    expect(text.stdout).toContain('model refusals: claude-fable-5 -> claude-opus-4-8 (1)');
  });
});

/** A fixture session with every timestamp moved so that its last line is `endMs` (alerts fire on fresh events only). */
function freshCopy(n: number, to: string, endMs: number): void {
  const lines = readFileSync(join(FIXTURES, 'projects/-home-dev-app', `${session(n)}.jsonl`), 'utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  const last = Math.max(...lines.map((l) => (typeof l.timestamp === 'string' ? Date.parse(l.timestamp) : 0)));
  for (const l of lines)
    if (typeof l.timestamp === 'string') l.timestamp = new Date(Date.parse(l.timestamp) - last + endMs).toISOString();
  mkdirSync(to, { recursive: true });
  writeFileSync(join(to, `${session(n)}.jsonl`), `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
}

const series = (metrics: string, name: string, labels: string): number | undefined => {
  const line = metrics.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(labels));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
};

describe('2026 transcripts through a running cctap up', () => {
  it('alerts on an auto-mode block and counts denials by kind and refusals by model in /metrics', async () => {
    const live = mkdtempSync(join(tmpdir(), 'cctap-e2e-2026-live-'));
    const hook = await startTestReceiver();
    const project = join(live, 'claude', 'projects', '-home-dev-app');
    freshCopy(1, project, Date.now() - 5_000);
    freshCopy(2, project, Date.now() - 5_000);
    mkdirSync(join(live, 'home'));
    const up = startUp(
      [
        '--root',
        join(live, 'claude'),
        '--data',
        join(live, 'data'),
        '--metrics-port',
        '0',
        '--log-format',
        'json',
        '--status-seconds',
        '0',
        '--webhook-url',
        hook.url,
      ],
      { HOME: join(live, 'home') },
    );
    try {
      const alertsOf = () =>
        hook.requests
          .flatMap((q) => (q.json as { alerts?: Alert[] } | null)?.alerts ?? [])
          .filter((a) => a.rule === 'automode-blocked');
      await waitFor('the automode-blocked alert', () => alertsOf().length > 0, 60_000, 250);
      expect(alertsOf().map((a) => [a.status, a.severity, a.labels.sessionId])).toEqual([
        ['firing', 'warning', session(1)],
      ]);
      const port = /"msg":"probe server listening","port":(\d+)/.exec(up.stderr())![1];
      let metrics = '';
      await waitFor(
        'the refusal counter',
        async () => {
          metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
          return series(metrics, 'cctap_analyzer_refusals_total', 'model="claude-fable-5"') === 1;
        },
        30_000,
        250,
      );
      expect(series(metrics, 'cctap_analyzer_refusals_total', 'fallback_model="claude-opus-4-8"')).toBe(1);
      for (const kind of ['user-rejected', 'automode-blocked', 'permission-rule'])
        expect(series(metrics, 'cctap_analyzer_denials_total', `kind="${kind}"`), kind).toBe(1);
    } finally {
      up.child.kill('SIGTERM');
      await up.exit;
      await hook.close();
      rmSync(live, { recursive: true, force: true });
    }
  }, 120_000);
});
