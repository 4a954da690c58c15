/**
 * Polls `probe` until it returns something other than `undefined` or `false`. A probe that throws counts as
 * "not yet" (servers restarting in the middle of a test do that); its last error is named on timeout, with
 * the tail of `context()` (e.g. a process's stderr) when one is given.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 10_000,
  everyMs = 50,
  context?: () => string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  const tail = context ? `\n${context().slice(-3000)}` : '';
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}${tail}`,
  );
}
