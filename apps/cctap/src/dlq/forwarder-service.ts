/**
 * The dead-letter forwarder (the kit's startDeadLetterForwarder) as a runner service of `cctap validator`
 * (and of `cctap up` on NATS, which runs a validator of its own).
 *
 * Why the validator: it is the one central service every NATS deployment runs (nothing reaches the store
 * without it), so dead letters are forwarded wherever the pipeline runs, without a process of their own.
 * Its replicas all read the one durable pull consumer `dlq-forwarder`, and the server hands each advisory to
 * one of them: N replicas forward each dead letter once (and the dead letter's message id drops a second
 * copy after a crash before the ack). `cctap_dead_letters_total{consumer,kind}` is exported on its /metrics.
 */
import { startDeadLetterForwarder, type Service, type Subscription } from '@cctap/kit';
import type { ServiceContext } from '../nats-service-command.js';

export function deadLetterForwarderService(ctx: ServiceContext): Service {
  let sub: Subscription | null = null;
  return {
    name: 'dlq-forwarder',
    async start() {
      sub = startDeadLetterForwarder({
        nc: ctx.nc,
        bus: ctx.bus,
        topology: ctx.topology,
        logger: ctx.logger,
        metrics: ctx.metrics,
      });
    },
    async stop() {
      await sub?.stop();
    },
    health: () => ({ ready: sub !== null }),
  };
}
