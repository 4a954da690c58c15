/**
 * What a successful tool result produced, read from its `toolUseResult` (transcript-format.md section 4.4;
 * definitions in docs/activity.md):
 *
 * - file activity: Edit, MultiEdit and Write results carry `filePath` and `structuredPatch` (hunks whose
 *   `lines` start with `+`, `-` or ` `); the `+` and `-` lines are the lines added and removed. A Write that
 *   created its file (`type: "create"`) has an empty patch: every line of its `content` is added.
 * - a commit: a Bash result whose stdout has the line git prints for the commit it just made,
 *   `[<branch> <sha>] <subject>` (`[main (root-commit) 1a2b3c4] init`, `[detached HEAD 1a2b3c4] fix`).
 * - a pull request: a Bash result whose stdout ends with a pull request URL, what `gh pr create` prints.
 * - a `pr-link` line (`{"type":"pr-link","prNumber":55,"prUrl":"…/pull/55","prRepository":"o/r",…}`),
 *   which Claude Code writes when a pull request URL shows up in a session.
 *
 * Failed results are never read here: the caller passes only results that are not errors.
 */
import type { PayloadOf } from '@cctap/events';
import type { Shaper } from '../privacy/shaper.js';
import { countOrNull, obj, pathStr, str, type Json } from './json-read.js';

type ToolResult = PayloadOf<'tool.result'>;
type FileActivity = NonNullable<ToolResult['activity']>;
type PullRequestRef = NonNullable<ToolResult['pullRequest']>;

/** Lines of a file's content: a final newline ends the last line, it does not start another. */
function contentLines(content: string): number {
  if (content === '') return 0;
  let n = 1;
  for (let i = content.indexOf('\n'); i !== -1; i = content.indexOf('\n', i + 1)) n++;
  return content.endsWith('\n') ? n - 1 : n;
}

function patchCounts(patch: readonly unknown[]): { added: number; removed: number } {
  let added = 0;
  let removed = 0;
  for (const h of patch) {
    const lines = obj(h)?.lines;
    if (!Array.isArray(lines)) continue;
    for (const l of lines) {
      if (typeof l !== 'string') continue;
      if (l.startsWith('+')) added++;
      else if (l.startsWith('-')) removed++;
    }
  }
  return { added, removed };
}

export function fileActivityOf(tur: Json, shaper: Shaper): FileActivity | null {
  const filePath = str(tur.filePath);
  const patch = tur.structuredPatch;
  if (filePath === null || !Array.isArray(patch)) return null;
  const created = tur.type === 'create';
  const counts = patchCounts(patch);
  const content = str(tur.content);
  // A created file's patch is empty in every release seen; its content is the file.
  if (created && counts.added === 0 && content !== null) counts.added = contentLines(content);
  return {
    // Masked, then clipped, as tool.call's filePath.
    filePath: pathStr(shaper.label(filePath)) ?? '',
    linesAdded: counts.added,
    linesRemoved: counts.removed,
    created,
  };
}

/** git's summary line of a new commit; the sha is the last word inside the brackets. */
const COMMIT_LINE = /^\[[^\]\n]+? ([0-9a-f]{7,40})\] /m;

/**
 * How much of a Bash output is searched: the commit line comes after whatever the commit hooks printed, and a
 * bound keeps a huge output (a build log) from costing a scan of all of it.
 */
const SEARCHED_CHARS = 64 * 1024;

export function commitOf(tur: Json): { sha: string } | null {
  const stdout = str(tur.stdout);
  if (stdout === null) return null;
  const m = COMMIT_LINE.exec(stdout.length > SEARCHED_CHARS ? stdout.slice(0, SEARCHED_CHARS) : stdout);
  return m ? { sha: m[1]! } : null;
}

/** `https://<host>/<owner>/<name>/pull/<n>`, the whole line. */
const PR_URL = /^https?:\/\/[^\s/]+\/([^\s/]+\/[^\s/]+)\/pull\/(\d{1,12})\/?$/;

function pullRequestRef(url: string, shaper: Shaper, number: number | null, repository: string | null) {
  const m = PR_URL.exec(url);
  return {
    url: pathStr(shaper.label(url)) ?? '',
    number: number ?? (m ? countOrNull(Number(m[2])) : null),
    repository: repository ?? (m ? pathStr(shaper.label(m[1]!)) : null),
  };
}

export function pullRequestOf(tur: Json, shaper: Shaper): PullRequestRef | null {
  const stdout = str(tur.stdout);
  if (stdout === null) return null;
  const tail = stdout.slice(-1024).trimEnd();
  const last = tail.slice(tail.lastIndexOf('\n') + 1).trim();
  return PR_URL.test(last) ? pullRequestRef(last, shaper, null, null) : null;
}

/** The pull request of a `pr-link` line; null when it names no URL. */
export function prLinkOf(rec: Json, shaper: Shaper): PullRequestRef | null {
  const url = str(rec.prUrl);
  if (url === null || url === '') return null;
  const repository = str(rec.prRepository);
  return pullRequestRef(
    url,
    shaper,
    countOrNull(rec.prNumber),
    repository === null ? null : pathStr(shaper.label(repository)),
  );
}
