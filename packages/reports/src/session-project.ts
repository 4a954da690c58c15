/**
 * The project of a session: the cwd of its first usage line, i.e. the directory the session started in (the
 * one Claude Code names the session's project folder after). A session that later works in a subdirectory or
 * another checkout keeps its project, so the session report, `--instances` and `--project` see one project per
 * session, as ccusage does (it reads the project from the folder). `--by project` stays per line (cwd).
 */
import type { ReportOptions } from './options.js';

/** Joined on (host, session_id) to the deduplicated responses; adds `session_project`. */
const SESSION_PROJECT_SQL = `SELECT host, session_id, argMin(project, ts) AS session_project FROM usage GROUP BY host, session_id`;

/**
 * `--project NAME` matches the full path, its last part (`app` for /home/me/app) or Claude Code's folder name
 * for it (`-home-me-app`: every character other than a letter or digit becomes `-`), so a ccusage `-p` value
 * keeps working.
 */
const PROJECT_MATCH = `(session_project = {project:String}
  OR endsWith(session_project, concat('/', {project:String}))
  OR replaceRegexpAll(session_project, '[^A-Za-z0-9]', '-') = {project:String})`;

/** The join (or '') and the condition (or '1') a report adds to its FROM and WHERE, with their parameters. */
export function sessionProjectClause(
  opts: ReportOptions,
  needed: boolean,
): { join: string; where: string; params: Record<string, unknown> } {
  const use = needed || opts.project !== undefined || opts.instances === true;
  return {
    join: use ? `LEFT JOIN (${SESSION_PROJECT_SQL}) AS sp USING (host, session_id)` : '',
    where: opts.project !== undefined ? PROJECT_MATCH : '1',
    params: opts.project !== undefined ? { project: opts.project } : {},
  };
}
