/**
 * Transcripts that Claude Code rewrites (transcript-format-2026.md section 1.2), through `cctap up` as a user
 * runs it: metadata appended again and a tombstone removed in place while `up` runs; `up` SIGKILLed, the file
 * compacted (temp + fsync + rename over) while it is down, `up` started again; SIGKILLed again, the file
 * copied into another project folder and the original deleted (`/cd` across devices), and `up --once`.
 *
 * What the store must hold, from what the test wrote (test/support/rewrite-session.ts), never from the
 * pipeline: every line uuid ever written, each event id stored once (raw rows, before any FINAL), every
 * distinct metadata line once, the tokens of every response by the max rule including responses whose rows
 * compaction removed, one analyzer tool span per tool use, and one alert for the one dangerous command.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  compactTranscript,
  dropUuids,
  reappendMetadata,
  relocateTranscript,
  removeLineInPlace,
} from '../support/claude-rewrites.js';
import { RewriteSession } from '../support/rewrite-session.js';
import { waitFor } from '../support/wait-for.js';
import { sqlJson, startUp, type Up } from './support/run-cctap.js';

let dir: string;
let root: string;
let data: string;
let rules: string;
const ups: Up[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cctap-e2e-rewrite-'));
  root = join(dir, 'claude');
  data = join(dir, 'data');
  rules = join(dir, 'rules.json');
  // One match rule that resolves a second after its last occurrence: a line delivered twice, after that
  // second, would fire it again.
  writeFileSync(
    rules,
    JSON.stringify({
      receivers: [],
      rules: [
        {
          name: 'wipe-build',
          kind: 'match',
          severity: 'critical',
          types: ['tool.call'],
          where: [{ field: 'payload.input.command', regex: 'rm -rf build' }],
          groupBy: ['host', 'sessionId'],
          summary: 'rm -rf build',
          groupWait: '0s',
          groupInterval: '1s',
          resolveAfter: '1s',
        },
      ],
    }),
  );
});

afterAll(() => {
  for (const u of ups) u.child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const args = () => [
  '--root',
  root,
  '--data',
  data,
  '--metrics-port',
  '0',
  '--log-format',
  'json',
  '--status-seconds',
  '0',
  '--rules',
  rules,
];

/** A running `up` that has read what exists (before that, `cctap sql` would open the store itself). */
async function up(): Promise<Up> {
  const u = startUp(args());
  ups.push(u);
  await waitFor('the backfill', () => u.stderr().includes('"msg":"backfill done'), 60_000, 100).catch((err: Error) => {
    throw new Error(`${err.message}\n${u.stderr().slice(-3000)}`);
  });
  return u;
}

async function kill9(u: Up): Promise<void> {
  u.child.kill('SIGKILL');
  await u.exit;
}

const q = <T = Record<string, number>>(sql: string) => sqlJson<T>(data, sql);

async function storedUuids(session: RewriteSession): Promise<number> {
  const [r] = await q(
    `SELECT uniqExact(line_uuid) AS n FROM events WHERE session_id = '${session.sessionId}' AND line_uuid != ''`,
  );
  return Number(r!.n);
}

async function waitStored(u: Up, session: RewriteSession, what: string): Promise<void> {
  try {
    await waitFor(what, async () => (await storedUuids(session)) === session.uuids.size, 90_000, 500);
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${u.stderr().slice(-3000)}`, { cause: err });
  }
}

describe('transcripts rewritten by Claude Code, through cctap up', () => {
  it('stores every line once and counts every token once across in-place removal, compaction, relocation, metadata re-appends and SIGKILLs', async () => {
    const start = new Date(Date.now() - 10 * 60_000);
    const s = new RewriteSession(join(root, 'projects', '-home-dev-app'), '/home/dev/app', start, (n) =>
      n === 2 ? 'rm -rf build' : `ls -la src/${n}`,
    );
    s.append(s.metadataLines(''));
    for (let i = 0; i < 3; i++) s.appendTurn();

    let u = await up();
    await waitStored(u, s, 'the first turns');

    // (d) metadata appended again, (a) a tombstone removed in place, then more turns: all while `up` runs.
    reappendMetadata(s.path, s.metadataLines('step 3: look at src/3'));
    removeLineInPlace(s.path, s.turns[1]![4]!); // the text answer of turn 2: later lines move up
    s.appendTurn();
    await waitStored(u, s, 'the turn after the in-place removal');
    await kill9(u);

    // (b) compaction while `up` is down: rows before the boundary go, the metadata is appended again.
    s.appendCompactBoundary();
    const dropped = new Set(s.turns.slice(0, 3).flat());
    compactTranscript(s.path, dropUuids(dropped), s.metadataLines('step 4: look at src/4'));
    u = await up();
    // The alert of turn 2 resolves (resolveAfter 1s): from here a line delivered twice would start a second
    // episode, which the check at the end counts.
    await waitFor(
      'the alert of turn 2 resolved',
      async () => {
        const [r] = await q(`SELECT countIf(status = 'resolved') AS n FROM alerts WHERE rule = 'wipe-build'`);
        return Number(r!.n) > 0;
      },
      30_000,
      200,
    ).catch((err: Error) => {
      throw new Error(`${err.message}\n${u.stderr().slice(-3000)}`);
    });
    s.appendTurn();
    await waitStored(u, s, 'the turn after the compaction');
    await kill9(u);

    // (c) `/cd` across devices while `up` is down: copy into another project folder, delete, `relocated`.
    const relocatedLine = s.relocatedLine('/home/dev/other');
    s.movedTo(
      relocateTranscript(s.path, join(root, 'projects', '-home-dev-other'), 'copy', relocatedLine),
      relocatedLine,
    );
    s.appendTurn();
    const last = startUp([...args(), '--once']);
    expect(await last.exit, last.stderr().slice(-3000)).toBe(0);

    // Read back in one `cctap sql` (each run opens the embedded store anew, a second or more on a busy machine):
    // one row whose columns are the answers of the checks below, each from its own subquery.
    const where = `session_id = '${s.sessionId}' AND type != 'heartbeat'`;
    const [r] = await q<Record<string, unknown>>(
      `SELECT * FROM
      (SELECT count() AS rows, uniqExact(id) AS ids, uniqExact(line_uuid) - 1 AS uuids, countIf(line_uuid = '') AS metadataRows FROM events WHERE ${where}) AS c
      CROSS JOIN (SELECT groupArray((line_uuid, n, ids)) AS twice FROM
        (SELECT line_uuid, count() AS n, uniqExact(id) AS ids FROM events WHERE ${where} AND line_uuid != '' GROUP BY line_uuid HAVING n > ids)) AS t
      CROSS JOIN (SELECT sum(input_tokens) AS input, sum(output_tokens) AS output, sum(cache_creation_tokens) AS cacheCreation, sum(cache_read_tokens) AS cacheRead FROM usage FINAL WHERE session_id = '${s.sessionId}') AS tok
      CROSS JOIN (SELECT count() AS spanRows, uniqExact(JSONExtractString(payload, 'toolUseId')) AS toolUses FROM derived WHERE kind = 'tool.span' AND session_id = '${s.sessionId}') AS spans
      CROSS JOIN (SELECT uniqExactIf(JSONExtractString(payload, 'startsAt'), status = 'firing') AS episodes, max(JSONExtractUInt(payload, 'occurrences')) AS occurrences FROM alerts WHERE rule = 'wipe-build') AS al`,
    );
    const row = r!;

    // Every uuid ever written is stored; no event id has two rows; every distinct metadata line is one row.
    const c = { rows: row.rows, ids: row.ids, uuids: row.uuids, metadataRows: row.metadataRows };
    expect(c).toEqual({ rows: c.ids, ids: c.ids, uuids: s.uuids.size, metadataRows: s.metadata.size });
    expect(row.twice).toEqual([]);

    // Tokens: the max rule over everything ever written, rows that compaction removed included.
    const want = s.expectedTotals();
    const tok = { input: row.input, output: row.output, cacheCreation: row.cacheCreation, cacheRead: row.cacheRead };
    expect(Object.fromEntries(Object.entries(tok).map(([k, v]) => [k, Number(v)]))).toEqual(want);

    // The analyzer saw each tool use once; the alerter fired once for the one dangerous command.
    expect({ rows: row.spanRows, toolUses: row.toolUses }).toEqual({
      rows: s.toolUseIds.size,
      toolUses: s.toolUseIds.size,
    });
    // One episode (a duplicate after its resolution would start another), with one occurrence.
    expect({ episodes: row.episodes, occurrences: row.occurrences }).toEqual({ episodes: 1, occurrences: 1 });
  });
});
