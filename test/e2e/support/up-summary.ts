/** The summary `cctap up --log-format json` prints on stdout when it stops; throws with stdout when there is none. */
export function upSummary<T>(stdout: string): T {
  const line = stdout.split('\n').find((l) => l.includes('"msg":"summary"'));
  if (!line) throw new Error(`no summary in stdout:\n${stdout}`);
  return JSON.parse(line) as T;
}
