/**
 * All of stdin as text, for the commands Claude Code runs with JSON on stdin (`statusline`, `guard`). Claude
 * Code writes it at once and closes stdin; `ms` only bounds a caller that never does. A terminal (a person
 * trying the command) sends nothing: ''.
 */
export function readStdin(ms: number): Promise<string> {
  if (process.stdin.isTTY) return Promise.resolve('');
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const done = () => {
      clearTimeout(timer);
      process.stdin.pause();
      resolve(Buffer.concat(chunks).toString('utf8'));
    };
    const timer = setTimeout(done, ms);
    process.stdin.on('data', (c: Buffer) => chunks.push(c));
    process.stdin.once('end', done);
    process.stdin.once('error', done);
  });
}
