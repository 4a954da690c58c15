/**
 * What a successful tool result produced (tool-activity.ts): lines added and removed by Edit, MultiEdit and
 * Write, commits, pull requests and `pr-link` lines, on the activity fixture (test/fixtures/activity, built
 * line by line from the shapes of transcript-format.md section 4.4) and on single lines for the edge cases.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fileId, type CctapEvent, type EventOf, type PrivacyMode } from '@cctap/events';
import { eventSchema } from '@cctap/events/internal';
import { describe, expect, it } from 'vitest';
import { TranscriptStream } from '../index.js';

const DIR = fileURLToPath(new URL('../../../../test/fixtures/activity/projects/-home-dev-shop/', import.meta.url));
const REAL = fileURLToPath(new URL('../../../../test/fixtures/real/', import.meta.url));
const SESSION_A = `${DIR}ac710170-0000-4000-8000-00000000000a.jsonl`;

function normalize(path: string, bytes: Buffer | string, privacy: PrivacyMode = 'redacted'): CctapEvent[] {
  const stream = new TranscriptStream({
    host: 'test-host',
    user: 'dev',
    path,
    fileId: fileId(1, 2, path),
    privacy,
    startOffset: 0,
    lastTs: null,
    fileTs: '2026-01-01T00:00:00.000Z',
  });
  const out = stream.push(typeof bytes === 'string' ? Buffer.from(bytes) : bytes);
  const events = out.flatMap((l) => l.events);
  for (const e of events) expect(eventSchema.safeParse(e).success, JSON.stringify(e)).toBe(true);
  return events;
}

const results = (events: CctapEvent[]) =>
  new Map(
    events
      .filter((e): e is EventOf<'tool.result'> => e.type === 'tool.result')
      .map((e) => [e.payload.toolUseId, e.payload]),
  );

/** One tool result line with this toolUseResult (and is_error when asked). */
function resultLine(toolUseResult: unknown, isError = false): string {
  return `${JSON.stringify({
    type: 'user',
    sessionId: 's1',
    uuid: 'u-1',
    timestamp: '2026-11-02T10:00:00.000Z',
    cwd: '/home/dev/shop',
    message: {
      role: 'user',
      content: [
        { tool_use_id: 'toolu_x', type: 'tool_result', content: 'out', ...(isError ? { is_error: true } : {}) },
      ],
    },
    toolUseResult,
  })}\n`;
}
const one = (toolUseResult: unknown, isError = false) =>
  results(normalize('/p/s1.jsonl', resultLine(toolUseResult, isError))).get('toolu_x')!;

describe('tool activity on the fixture session', () => {
  const events = normalize(SESSION_A, readFileSync(SESSION_A));
  const byId = results(events);

  it('Edit: the + and - lines of its structuredPatch', () => {
    expect(byId.get('toolu_a1')!.activity).toEqual({
      filePath: '/home/dev/shop/src/cart.ts',
      linesAdded: 2,
      linesRemoved: 1,
      created: false,
    });
  });

  it('MultiEdit: every hunk of the patch', () => {
    expect(byId.get('toolu_a2')!.activity).toMatchObject({
      filePath: '/home/dev/shop/src/api.ts',
      linesAdded: 2,
      linesRemoved: 1,
    });
  });

  it('Write that created its file: the lines of its content (the patch is empty)', () => {
    expect(byId.get('toolu_a3')!.activity).toEqual({
      filePath: '/home/dev/shop/src/new.ts',
      linesAdded: 3,
      linesRemoved: 0,
      created: true,
    });
  });

  it('Write over an existing file: its patch', () => {
    expect(byId.get('toolu_a4')!.activity).toMatchObject({ linesAdded: 2, linesRemoved: 1, created: false });
  });

  it('a failed Edit and a denied call produce nothing', () => {
    for (const id of ['toolu_a5', 'toolu_a8']) {
      const p = byId.get(id)!;
      expect(p.isError).toBe(true);
      expect(p.activity ?? p.commit ?? p.pullRequest).toBeUndefined();
    }
  });

  it("git commit's output is a commit; gh pr create's URL is a pull request", () => {
    expect(byId.get('toolu_a6')!.commit).toEqual({ sha: '1a2b3c4' });
    expect(byId.get('toolu_a6')!.activity).toBeUndefined();
    expect(byId.get('toolu_a7')!.pullRequest).toEqual({
      url: 'https://github.com/acme/shop/pull/42',
      number: 42,
      repository: 'acme/shop',
    });
  });

  it('pr-link lines name their pull request', () => {
    const links = events.filter((e): e is EventOf<'meta'> => e.type === 'meta' && e.payload.lineType === 'pr-link');
    expect(links.map((e) => e.payload.pullRequest)).toEqual([
      { url: 'https://github.com/acme/shop/pull/42', number: 42, repository: 'acme/shop' },
      { url: 'https://github.com/acme/shop/pull/43', number: 43, repository: 'acme/shop' },
      { url: 'https://github.com/acme/shop/pull/42', number: 42, repository: 'acme/shop' },
    ]);
  });

  it('other results carry none of the fields', () => {
    const plain = normalize('/p/s1.jsonl', resultLine({ stdout: 'hello\n', stderr: '', interrupted: false }));
    expect(Object.keys(results(plain).get('toolu_x')!)).not.toContain('activity');
  });
});

describe('tool activity edge cases', () => {
  const patch = [{ oldStart: 1, oldLines: 1, newStart: 1, newLines: 2, lines: ['-a', '+b', '+c', ' d'] }];

  it('a failed result is not counted even when it carries a patch', () => {
    expect(one({ filePath: '/f.ts', structuredPatch: patch }, true).activity).toBeUndefined();
  });

  it('an interrupted result is not counted', () => {
    expect(one({ stdout: '[main 1a2b3c4] wip\n', stderr: '', interrupted: true }).commit).toBeUndefined();
  });

  it('a created file: a last line without a newline counts, an empty file has none', () => {
    expect(one({ type: 'create', filePath: '/f', content: 'a\nb', structuredPatch: [] }).activity?.linesAdded).toBe(2);
    expect(one({ type: 'create', filePath: '/f', content: '', structuredPatch: [] }).activity?.linesAdded).toBe(0);
  });

  it("git's new-commit line in its forms; other output is no commit", () => {
    const sha = (stdout: string) => one({ stdout, stderr: '', interrupted: false }).commit?.sha;
    expect(sha('[main (root-commit) 0f1e2d3] init\n 1 file changed')).toBe('0f1e2d3');
    expect(sha('[detached HEAD 89abcde] fix\n')).toBe('89abcde');
    expect(sha('[feature/x-1 0123456789abcdef0123456789abcdef01234567] long sha\n')).toBe(
      '0123456789abcdef0123456789abcdef01234567',
    );
    expect(sha('1a2b3c4 Add a cart\n')).toBeUndefined(); // git log --oneline
    expect(sha('nothing to commit, working tree clean\n')).toBeUndefined();
    expect(sha('[main] not a sha\n')).toBeUndefined();
  });

  it('a pull request only when the output ends with its URL', () => {
    const pr = (stdout: string) => one({ stdout, stderr: '', interrupted: false }).pullRequest?.url;
    expect(pr('https://github.example.com/o/r/pull/7\n')).toBe('https://github.example.com/o/r/pull/7');
    expect(pr('title:\tFix\nurl:\thttps://github.com/o/r/pull/7\n')).toBeUndefined(); // gh pr view
    expect(pr('https://github.com/o/r/issues/7\n')).toBeUndefined();
  });

  it('a pr-link without a URL names no pull request', () => {
    const [e] = normalize('/p/s1.jsonl', '{"type":"pr-link","sessionId":"s1","prNumber":5}\n');
    expect(e).toMatchObject({ type: 'meta', payload: { lineType: 'pr-link' } });
    expect((e as EventOf<'meta'>).payload.pullRequest).toBeUndefined();
  });

  it('paths stay in metadata mode, secrets in them are masked', () => {
    const line = resultLine({
      filePath: '/home/dev/ghp_abcdefghijklmnopqrstuvwxyz0123456789/f.ts',
      structuredPatch: patch,
    });
    const p = results(normalize('/p/s1.jsonl', line, 'metadata')).get('toolu_x')!;
    expect(p.activity).toMatchObject({ linesAdded: 2, linesRemoved: 1 });
    expect(p.activity!.filePath).not.toContain('ghp_abcdefghijklmnopqrstuvwxyz0123456789');
  });
});

describe('tool activity on a real transcript', () => {
  const path = `${REAL}spotter-v2.1.39-main-compaction-progress.jsonl`;
  const events = normalize(path, readFileSync(path));
  const byId = results(events);

  it('one commit: three `git commit` calls stopped by a pre-commit hook are errors, the fourth made 64f1b9a', () => {
    const commits = [...byId.values()].filter((p) => p.commit);
    expect(commits.map((p) => [p.toolUseId, p.commit!.sha])).toEqual([['toolu_014d13oYeAkaD59m1TthqEc3', '64f1b9a']]);
    for (const id of [
      'toolu_01QC8siDGwEkXHfhKDNRgfTQ',
      'toolu_01XUoQX8HzyR7rVLz9xV72x3',
      'toolu_01KbgrdnUiMNuZyMzwDCjPxk',
    ])
      expect(byId.get(id)).toMatchObject({ isError: true });
  });

  it("every successful Edit and Write result counts its patch's lines", () => {
    // Counted here from the raw lines, independently of the normalizer.
    let added = 0;
    let removed = 0;
    let files = 0;
    for (const line of readFileSync(path, 'utf8').split('\n').filter(Boolean)) {
      const rec = JSON.parse(line) as { message?: { content?: unknown }; toolUseResult?: unknown };
      const blocks = Array.isArray(rec.message?.content)
        ? (rec.message.content as { type?: string; is_error?: boolean }[])
        : [];
      const tur = rec.toolUseResult as
        { structuredPatch?: { lines: string[] }[]; type?: string; content?: string } | undefined;
      if (!tur || typeof tur !== 'object' || !Array.isArray(tur.structuredPatch)) continue;
      if (blocks.some((b) => b.type === 'tool_result' && b.is_error === true)) continue;
      files++;
      const lines = tur.structuredPatch.flatMap((h) => h.lines);
      added += lines.filter((l) => l.startsWith('+')).length;
      removed += lines.filter((l) => l.startsWith('-')).length;
      if (tur.type === 'create' && tur.structuredPatch.length === 0 && tur.content)
        added += tur.content.split('\n').length - (tur.content.endsWith('\n') ? 1 : 0);
    }
    const activity = [...byId.values()].flatMap((p) => (p.activity ? [p.activity] : []));
    expect(activity.length).toBe(files);
    expect(activity.reduce((n, a) => n + a.linesAdded, 0)).toBe(added);
    expect(activity.reduce((n, a) => n + a.linesRemoved, 0)).toBe(removed);
    expect([activity.length, added, removed]).toEqual([39, 1365, 298]);
  });
});
