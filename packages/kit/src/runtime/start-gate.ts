/**
 * A service's start that its stop can wait for. A start that awaits (restoring state) and then starts consumers
 * and timers must not be cut short by a stop that returns before it has finished: whatever the start goes on to
 * start would outlive the stop (an alerter kept its pull loops after SIGTERM). `run` starts at most once at a
 * time; `settled` resolves once no start is in flight, whatever its outcome.
 */
export class StartGate {
  #starting: Promise<void> | null = null;

  run(start: () => Promise<void>): Promise<void> {
    this.#starting ??= start().finally(() => (this.#starting = null));
    return this.#starting;
  }

  async settled(): Promise<void> {
    await this.#starting?.catch(() => undefined);
  }
}
