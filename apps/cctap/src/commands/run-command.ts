/**
 * Runs a command body, turning the failures a user's setup explains (configuration, credentials, a taken
 * port, a server that stayed down) into one line and their exit code (failure.ts). Anything else goes on
 * to main.ts, which tells a bad command line from a crash.
 */
import { expectedExit, reportFailure } from '../failure.js';
import { usageExit } from '../flags/usage-exit.js';

export async function runCommand(name: string, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (err) {
    const usage = usageExit(name, err);
    if (usage !== null) return usage;
    if (expectedExit(err) === null) throw err;
    return reportFailure(name, err);
  }
}
