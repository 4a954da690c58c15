/** Runs a command body, turning configuration, authentication and connection errors into one line and exit code 1. */
import { AuthError, ConfigError, ConnectError } from '@cctap/kit';
import { usageExit } from '../flags/usage-exit.js';

export async function runCommand(name: string, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (err) {
    const usage = usageExit(name, err);
    if (usage !== null) return usage;
    if (err instanceof ConfigError || err instanceof AuthError || err instanceof ConnectError) {
      console.error(`cctap ${name}: ${err.message}`);
      return 1;
    }
    throw err;
  }
}
