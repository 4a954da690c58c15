/**
 * Resolves after `ms`, or as soon as `signal` aborts, whichever comes first; never rejects, so a loop that
 * waits between retries checks its own stop condition after it. `Infinity` waits for the abort alone (a
 * Node timer would fire at once). The abort listener is removed when the timer fires: loops that sleep once
 * per retry on one long-lived signal must not pile listeners up on it.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    if (ms !== Infinity)
      timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
