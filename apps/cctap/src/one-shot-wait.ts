/** How long a one-shot command waits for NATS or a ClickHouse server: the kit's policy over CCTAP_WAIT_SECONDS. */
import type { Logger } from '@cctap/kit';
import { oneShotWait, WAIT_SECONDS_ENV, type WaitPolicy } from '@cctap/kit/light';
import { ENV, type Environment } from './environment.js';

export function oneShotWaitOf(logger?: Logger, env: Environment = ENV): WaitPolicy {
  return oneShotWait({ waitSeconds: env[WAIT_SECONDS_ENV], ...(logger ? { logger } : {}) });
}
