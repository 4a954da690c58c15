/**
 * What `cctap validator` does (validator.ts declares it): the validator service and the dead-letter forwarder on NATS.
 */
import { ConfigError } from '@cctap/kit';
import { createValidatorService, loadUsersPerHost, UsersPerHostError, type UsersPerHost } from '@cctap/validator';
import { deadLetterForwarderService } from '../dlq/forwarder-service.js';
import { runNatsServiceCommand } from '../nats-service-command.js';
import { loadCommandConfig } from '../flags/load-command-config.js';
import { spec } from './validator.js';

/** The work, once the command line does not ask for the help (validator.ts answers that without loading this). */
export async function runValidator(argv: string[]): Promise<number> {
  const cfg = loadCommandConfig(spec, argv);
  const usersPerHost = cfg.usersPerHost === undefined ? undefined : readUsersPerHost(cfg.usersPerHost);
  return runNatsServiceCommand('validator', cfg, async (ctx) => [
    deadLetterForwarderService(ctx),
    createValidatorService({
      bus: ctx.bus,
      topology: ctx.topology,
      logger: ctx.logger,
      metrics: ctx.metrics,
      maxFutureMs: cfg.maxFutureMs,
      fetchBatch: cfg.fetchBatch,
      ...(usersPerHost ? { usersPerHost } : {}),
    }),
  ]);
}

/** A bad list stops the validator at boot with one line: running without it would accept any user. */
function readUsersPerHost(file: string): UsersPerHost {
  try {
    return loadUsersPerHost(file);
  } catch (err) {
    if (err instanceof UsersPerHostError) throw new ConfigError(`--users-per-host: ${err.message}`);
    throw err;
  }
}
