/**
 * Every `cctap` sub-command, loaded lazily: `cctap collect` must not load the embedded ClickHouse engine,
 * so each command lives in its own module and is imported only when it runs.
 */
export interface Command {
  /** One line for `cctap help`. */
  summary: string;
  /** Runs the command; resolves to the process exit code. */
  run(argv: string[]): Promise<number>;
}

type Loader = () => Promise<{ command: Command }>;

export const COMMANDS: Record<string, Loader> = {
  up: () => import('./up.js'),
};
