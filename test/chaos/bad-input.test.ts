/**
 * Bad input drill, through the multi-process pipeline (collector, validator, analyzer, sink; privacy
 * `redacted`): malformed lines, invalid UTF-8, 2 MiB lines, binary garbage, a file truncated and one deleted
 * while they are read, entries that cannot be read (chmod 000, a symlink loop, a dangling symlink, a FIFO),
 * a line from the future, and one planted secret of every kind the redactor knows in each of prompt text,
 * assistant text, tool input, Bash command and tool output. The pipeline must keep running, count every
 * problem where an operator sees it (collector and validator /metrics, the sink's invalid_events table and
 * malformed events), and no planted secret may appear in any NATS message (CCTAP_RAW, CCTAP_EVENTS,
 * CCTAP_INVALID, CCTAP_DERIVED) or in any String column of any ClickHouse table.
 */
import { execFileSync } from 'node:child_process';
import {
  appendFileSync,
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { topology } from '@cctap/events';
import { connectNats } from '@cctap/kit';
import { startNats, type TestNats } from '../support/nats.js';
import { metricValue, runCli } from '../e2e/support/cli-process.js';
import { createPipeline, provisionPipeline, type Pipeline } from '../e2e/support/pipeline.js';
import { consumerState, forEachStored, isIdle, manager } from '../e2e/support/pipeline-state.js';

const PREFIX = `bad${process.pid}`;
const AFTER_PROTOTYPE_UUID = '00000000-0000-4000-8000-777777777777';
const t = topology(PREFIX);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One unique value per redactor rule (packages/transcript/src/privacy/secret-rules.ts) and place. */
const PLACES = ['prompt', 'assistant', 'toolinput', 'bash', 'tooloutput'] as const;
function secretsFor(place: string, n: number): { kind: string; text: string; needle: string }[] {
  const u = `${place.replace(/[^a-z]/g, '')}${n}`.padEnd(12, 'q');
  const U = u.toUpperCase().replace(/[^A-Z0-9]/g, 'Q');
  return [
    {
      kind: 'private_key',
      needle: `MIIEpAIBAAKCAQEA${u}Zk9`,
      text: `-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA${u}Zk9\n-----END RSA PRIVATE KEY-----`,
    },
    { kind: 'anthropic_key', needle: `sk-ant-api03-${u}AbCdEf`, text: `key sk-ant-api03-${u}AbCdEf here` },
    { kind: 'openai_key', needle: `sk-proj-${u}abcdefghijklmnop`, text: `use sk-proj-${u}abcdefghijklmnop now` },
    {
      kind: 'aws_access_key_id',
      needle: `AKIA${U.slice(0, 16).padEnd(16, 'Q')}`,
      text: `id AKIA${U.slice(0, 16).padEnd(16, 'Q')} ok`,
    },
    { kind: 'github_token', needle: `ghp_${u}abcdefghijklmnopqrst`, text: `token ghp_${u}abcdefghijklmnopqrst` },
    { kind: 'github_token', needle: `github_pat_${u}_abcdefghijklmnop`, text: `pat github_pat_${u}_abcdefghijklmnop` },
    {
      kind: 'slack_webhook',
      needle: `hooks.slack.com/services/T0/B0/${u}`,
      text: `post https://hooks.slack.com/services/T0/B0/${u} done`,
    },
    { kind: 'slack_token', needle: `xoxb-${u}-123456`, text: `slack xoxb-${u}-123456 ok` },
    {
      kind: 'jwt',
      needle: `eyJhbGciOiJIUzI1NiJ9.eyJ${u}.sig${u}`,
      text: `jwt eyJhbGciOiJIUzI1NiJ9.eyJ${u}.sig${u} end`,
    },
    {
      kind: 'bearer',
      needle: `bearer${u}tok`,
      text: `curl -H "Authorization: Bearer bearer${u}tok" https://api.example`,
    },
    { kind: 'url_credentials', needle: `pw${u}word`, text: `psql postgres://admin:pw${u}word@db.example:5432/app` },
    {
      kind: 'aws_secret_key',
      needle: `${u}AbCdEfGhIjKlMnOpQrStUvWxYz0123456789`.slice(0, 40),
      text: `aws_secret_access_key = ${`${u}AbCdEfGhIjKlMnOpQrStUvWxYz0123456789`.slice(0, 40)}`,
    },
    { kind: 'assignment', needle: `hunter${u}`, text: `export DB_PASSWORD=hunter${u}` },
    { kind: 'stripe_key', needle: `sk_live_${u}Ab12Cd34`, text: `STRIPE_KEY sk_live_${u}Ab12Cd34` },
    {
      kind: 'private_key',
      needle: `lQOYBGXq${u}`,
      text: `-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nlQOYBGXq${u}\n-----END PGP PRIVATE KEY BLOCK-----`,
    },
    {
      kind: 'azure_storage_key',
      needle: `${u}Zm9vYmFyYmF6`,
      text: `AccountName=acme;AccountKey=${u}Zm9vYmFyYmF6cXV4Zm9v==;EndpointSuffix=core.windows.net`,
    },
    { kind: 'assignment', needle: `pwd${u}`, text: `MYSQL_PWD=pwd${u} mysql app` },
    { kind: 'assignment', needle: `pw ${u} horse`, text: `PASSWORD='pw ${u} horse'` },
    { kind: 'url_credentials', needle: `rd${u}`, text: `redis-cli -u redis://:rd${u}@cache:6379` },
    {
      kind: 'basic_auth',
      needle: Buffer.from(`ci:${u}`).toString('base64'),
      text: `Authorization: Basic ${Buffer.from(`ci:${u}`).toString('base64')}`,
    },
    { kind: 'cli_credentials', needle: `cu${u}`, text: `curl -u admin:cu${u} https://jenkins.example` },
    { kind: 'cli_password', needle: `my${u}`, text: `mysql -u root -pmy${u} app` },
    { kind: 'cli_password', needle: `dk${u}`, text: `docker login -u ci --password dk${u} registry.example` },
    { kind: 'google_api_key', needle: `AIza${u}Sy0123456789abcdefghij`, text: `key=AIza${u}Sy0123456789abcdefghij` },
    { kind: 'gitlab_token', needle: `glpat-${u}abcdefghij`, text: `GITLAB glpat-${u}abcdefghij` },
  ];
}

let work: string;
let nats: TestNats | undefined;
let pipeline: Pipeline | undefined;

afterAll(async () => {
  await pipeline?.kill();
  await nats?.dispose();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('bad input through the multi-process pipeline', () => {
  it('keeps running, counts every problem and leaks no planted secret', async () => {
    work = mkdtempSync(join(tmpdir(), 'cctap-bad-'));
    const root = join(work, 'root');
    const dir = join(root, 'projects', '-home-bad-src');
    mkdirSync(dir, { recursive: true });
    const now = Date.now() - 3600_000;
    let k = 0;
    const base = (type: string, extra: object) => {
      k += 1;
      return JSON.stringify({
        type,
        uuid: `00000000-0000-4000-8000-${String(k).padStart(12, '0')}`,
        parentUuid: null,
        isSidechain: false,
        userType: 'external',
        sessionId: '11111111-2222-4333-8444-555555555555',
        cwd: '/home/bad/src',
        version: '2.1.3',
        gitBranch: 'main',
        timestamp: new Date(now + k * 1000).toISOString(),
        ...extra,
      });
    };
    const assistant = (content: unknown[]) =>
      base('assistant', {
        requestId: `req_${k}`,
        message: {
          id: `msg_${k}`,
          type: 'message',
          role: 'assistant',
          model: 'claude-sonnet-4-5-20250929',
          content,
          stop_reason: 'end_turn',
          usage: { input_tokens: 3, output_tokens: 5, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
        },
      });

    // Planted secrets: every kind in every place.
    const planted: { place: string; kind: string; needle: string }[] = [];
    const secretLines: string[] = [];
    PLACES.forEach((place, n) => {
      for (const s of secretsFor(place, n)) {
        planted.push({ place, kind: s.kind, needle: s.needle });
        if (place === 'prompt')
          secretLines.push(base('user', { message: { role: 'user', content: `please check ${s.text}` } }));
        if (place === 'assistant') secretLines.push(assistant([{ type: 'text', text: `I found ${s.text}` }]));
        if (place === 'toolinput')
          secretLines.push(
            assistant([
              {
                type: 'tool_use',
                id: `toolu_w${k}`,
                name: 'Write',
                input: { file_path: '/home/bad/src/config.txt', content: `config:\n${s.text}\n` },
              },
            ]),
          );
        if (place === 'bash')
          secretLines.push(
            assistant([
              {
                type: 'tool_use',
                id: `toolu_b${k}`,
                name: 'Bash',
                input: { command: `echo "${s.text.replace(/\n/g, ' ')}"`, description: 'run it' },
              },
            ]),
          );
        if (place === 'tooloutput') {
          secretLines.push(
            base('user', {
              message: {
                role: 'user',
                content: [
                  { type: 'tool_result', tool_use_id: `toolu_o${k}`, content: `output: ${s.text}`, is_error: false },
                ],
              },
              toolUseResult: { stdout: `output: ${s.text}`, stderr: '', interrupted: false },
            }),
          );
        }
      }
    });
    writeFileSync(join(dir, 'secrets.jsonl'), `${secretLines.join('\n')}\n`);

    const good = base('user', { message: { role: 'user', content: 'a fine prompt' } });
    const malformed = ['{"type":"user","message":', 'not json at all', '[1,2,3]', '"just a string"', '{"type":', '{}'];
    writeFileSync(join(dir, 'malformed.jsonl'), `${[good, ...malformed, good].join('\n')}\n`);
    // Line types named like members of Object.prototype (they once threw in the normalizer), then a good line.
    const prototypeTypes = ['toString', 'constructor', '__proto__'].map((type) => JSON.stringify({ type }));
    const afterPrototype = JSON.stringify({ ...(JSON.parse(good) as object), uuid: AFTER_PROTOTYPE_UUID });
    writeFileSync(join(dir, 'prototype-types.jsonl'), `${[...prototypeTypes, afterPrototype].join('\n')}\n`);
    // Invalid UTF-8 inside a JSON string, and a line of raw invalid bytes.
    const utf8 = Buffer.concat([
      Buffer.from('{"type":"user","message":{"role":"user","content":"bad \u00e9 '),
      Buffer.from([0xff, 0xfe, 0xc3]),
      Buffer.from('"}}\n'),
      Buffer.from([0xc0, 0xaf, 0x80, 0x0a]),
    ]);
    writeFileSync(join(dir, 'invalid-utf8.jsonl'), utf8);
    // 2 MiB lines: a valid prompt of 2 MiB and 2 MiB of one unbroken non-JSON line.
    const huge = base('user', { message: { role: 'user', content: 'x'.repeat(2 * 1024 * 1024) } });
    writeFileSync(join(dir, 'huge.jsonl'), `${huge}\n${'y'.repeat(2 * 1024 * 1024)}\n${good}\n`);
    // Binary garbage with newlines here and there (deterministic).
    const garbage = Buffer.alloc(256 * 1024);
    let x = 12345;
    for (let i = 0; i < garbage.length; i++) {
      x = (x * 1103515245 + 12345) >>> 0;
      garbage[i] = x >>> 24;
    }
    // Ends with a newline: a last line without one is a line still being written and waits (slow-writer.ts covers that).
    writeFileSync(join(dir, 'binary.jsonl'), Buffer.concat([garbage, Buffer.from('\n')]));
    // A future timestamp: valid for the collector, rejected by the validator (CCTAP_INVALID).
    writeFileSync(
      join(dir, 'future.jsonl'),
      `${JSON.stringify({ ...(JSON.parse(good) as object), uuid: '00000000-0000-4000-8000-999999999999', timestamp: new Date(Date.now() + 5 * 86_400_000).toISOString() })}\n`,
    );
    // Files that change under the reader.
    const many = Array.from({ length: 400 }, (_, i) =>
      base('user', { message: { role: 'user', content: `line ${i} ${'z'.repeat(500)}` } }),
    );
    writeFileSync(join(dir, 'truncated.jsonl'), `${many.join('\n')}\n`);
    writeFileSync(join(dir, 'deleted.jsonl'), `${many.join('\n')}\n`);
    // Entries that cannot be read as transcripts.
    writeFileSync(join(dir, 'chmod000.jsonl'), `${good}\n`);
    chmodSync(join(dir, 'chmod000.jsonl'), 0o000);
    const asRoot = process.getuid?.() === 0;
    symlinkSync(join(dir, 'loop.jsonl'), join(dir, 'loop.jsonl'));
    symlinkSync('/nonexistent/cctap/target.jsonl', join(dir, 'dangling.jsonl'));
    execFileSync('mkfifo', [join(dir, 'fifo.jsonl')]);

    nats = await startNats({ requireControl: true });
    await provisionPipeline(nats.url, PREFIX);
    pipeline = createPipeline({
      natsUrl: nats.url,
      prefix: PREFIX,
      work,
      hosts: [{ name: 'bad-host', root }],
      privacy: 'redacted',
    });
    const p = pipeline;
    await p.start();
    // Change files while they are read: truncate one to a third and append, delete another.
    await sleep(300);
    truncateSync(join(dir, 'truncated.jsonl'), Math.floor(readFileSync(join(dir, 'truncated.jsonl')).length / 3));
    appendFileSync(join(dir, 'truncated.jsonl'), `${good}\n`);
    rmSync(join(dir, 'deleted.jsonl'));

    const nc = await connectNats({ servers: nats.url, name: 'bad-input-audit' });
    const jsm = await manager(nc);
    const collector = p.collectors[0]!;
    const deadline = Date.now() + 60_000;
    for (;;) {
      const lag = metricValue(await collector.metrics(), 'cctap_collector_checkpoint_lag_bytes');
      const idle = await Promise.all(
        (['validator', 'sink-events', 'sink-invalid', 'sink-derived', 'analyzer'] as const).map(async (c) =>
          isIdle(await consumerState(jsm, t, c)),
        ),
      );
      if (lag === 0 && idle.every(Boolean)) break;
      if (Date.now() > deadline)
        throw new Error(`pipeline not idle within 60 s (collector lag ${lag})\n${collector.logTail()}`);
      await sleep(250);
    }
    await sleep(1500); // one more full sweep over the unreadable entries

    // Counted and visible: collector and validator metrics.
    const cm = await collector.metrics();
    const vm = await p.validator.metrics();
    const sample = (text: string, prefix: string) => text.split('\n').filter((l) => l.startsWith(prefix));
    const collectorLines = sample(cm, 'cctap_collector_lines_total');
    const collectorErrors = sample(cm, 'cctap_collector_errors_total').concat(
      sample(cm, 'cctap_collector_file_identities_total'),
      sample(cm, 'cctap_collector_files_skipped_total'),
    );
    const validatorInvalid = sample(vm, 'cctap_validator_events_total').filter((l) => l.includes('result="invalid"'));
    const malformedLines = collectorLines
      .filter((l) => l.includes('outcome="malformed"'))
      .reduce((s, l) => s + Number(l.split(' ').pop()), 0);
    expect(malformedLines).toBeGreaterThanOrEqual(malformed.length - 1);
    const walkErrors = sample(cm, 'cctap_collector_errors_total')
      .filter((l) => /kind="(walk|permission)"/.test(l))
      .reduce((s, l) => s + Number(l.split(' ').pop()), 0);
    expect(walkErrors, 'the symlink loop is counted').toBeGreaterThan(0);
    expect(validatorInvalid.reduce((s, l) => s + Number(l.split(' ').pop()), 0)).toBeGreaterThan(0);

    // Every process survived the whole drill.
    for (const proc of p.all)
      expect(
        await proc.metrics().then(
          () => true,
          () => false,
        ),
        `${proc.name} alive`,
      ).toBe(true);

    // No planted secret in any message of the four streams. CCTAP_RAW keeps only what the validator has not
    // acknowledged yet (interest retention); what it carried is in CCTAP_EVENTS and CCTAP_INVALID.
    const leaksInNats: string[] = [];
    for (const stream of ['raw', 'events', 'invalid', 'derived'] as const) {
      await forEachStored(nc, t, stream, (m) => {
        const text = Buffer.from(m.data).toString('latin1');
        for (const s of planted)
          if (text.includes(s.needle)) leaksInNats.push(`${stream} seq ${m.seq}: ${s.kind} in ${s.place}`);
      });
    }
    await nc.close();
    const codes = await p.stop();

    // Nor in any String column of any table.
    const sql = async (q: string) =>
      runCli('sql', [q, '--data', p.dataDir, '--format', 'json'], { timeoutMs: 120_000 });
    const columns = JSON.parse(
      await sql(
        "SELECT table, name FROM system.columns WHERE database = currentDatabase() AND type LIKE '%String%' ORDER BY table, name",
      ),
    ) as { table: string; name: string }[];
    expect(columns.length).toBeGreaterThan(0);
    const byTable = new Map<string, string[]>();
    for (const c of columns) byTable.set(c.table, [...(byTable.get(c.table) ?? []), c.name]);
    // One query over every table (one engine start, not one per table): each row as its String columns joined.
    const dump = await sql(
      [...byTable]
        .map(
          ([table, cols]) =>
            `SELECT arrayStringConcat([${cols.map((c) => `toString(\`${c}\`)`).join(', ')}], '\\t') AS row FROM \`${table}\``,
        )
        .join(' UNION ALL '),
    );
    const leaksInStore = planted.filter((s) => dump.includes(s.needle)).map((s) => `${s.kind} in ${s.place}`);
    const kinds = [...new Set(planted.map((s) => s.kind))];
    const masked = kinds.filter((kind) => dump.includes(`[REDACTED:${kind}]`));

    const [counts] = JSON.parse(
      await sql(
        `SELECT (SELECT count() FROM invalid_events) AS invalid, (SELECT count() FROM events WHERE type = 'malformed') AS malformed, (SELECT count() FROM events) AS events, (SELECT count() FROM events FINAL WHERE line_uuid = '${AFTER_PROTOTYPE_UUID}') AS after_prototype`,
      ),
    ) as { invalid: string; malformed: string; events: string; after_prototype: string }[];
    console.log(
      `bad input: running as root: ${asRoot} (chmod 000 ${asRoot ? 'does not stop root: the file is read like any other' : 'denies the read'}); ` +
        `exit codes ${JSON.stringify(codes)}\n  collector: ${[...collectorLines, ...collectorErrors].join('; ')}\n  validator: ${validatorInvalid.join('; ')}\n` +
        `  store: ${counts!.events} events, ${counts!.malformed} malformed events, ${counts!.invalid} invalid_events rows; ${columns.length} String columns in ${byTable.size} tables dumped (${(dump.length / 1e6).toFixed(1)} MB)\n` +
        `  planted ${planted.length} secrets (${kinds.length} kinds x ${PLACES.length} places): leaks in NATS ${leaksInNats.length}, in ClickHouse ${leaksInStore.length}; masks seen for ${masked.length}/${kinds.length} kinds`,
    );
    expect(
      Object.values(codes).every((c) => c === 0),
      JSON.stringify(codes),
    ).toBe(true);
    expect(Number(counts!.malformed)).toBeGreaterThanOrEqual(malformed.length - 1);
    expect(Number(counts!.invalid)).toBeGreaterThan(0);
    expect(Number(counts!.after_prototype), 'the good line after the prototype-named line types').toBe(1);
    expect(leaksInNats).toEqual([]);
    expect(leaksInStore).toEqual([]);
    // The drill is not vacuous: every kind went through the pipeline and came out masked.
    expect(masked.sort()).toEqual(kinds.sort());
  }, 120_000);
});
