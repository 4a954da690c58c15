/** What the runner runs: anything with a name, a start, a stop and a health. */
export interface Service {
  readonly name: string;
  start(): Promise<void>;
  /** Stop pulling, drain in-flight work, flush, close. `reason` is for the log (signal name, error). */
  stop(reason: string): Promise<void>;
  health(): { ready: boolean; details?: Record<string, unknown> };
}
