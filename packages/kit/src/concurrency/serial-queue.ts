/**
 * Runs async jobs one at a time, in the order they were queued: for state that is not safe across awaits
 * (a state machine with a single writer, a sync that must not overlap itself). A job that fails rejects its
 * own promise only; the jobs after it still run.
 */
export class SerialQueue {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(job: () => Promise<T> | T): Promise<T> {
    const result = this.#tail.then(job);
    this.#tail = result.catch(() => undefined);
    return result;
  }

  /** Resolves once every job queued so far has finished (succeeded or failed). */
  async idle(): Promise<void> {
    await this.#tail;
  }
}
