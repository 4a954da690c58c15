/**
 * The destination a collector's checkpoints belong to (collector checkpoint/destination.ts): the JetStream
 * raw stream it publishes to, named by its creation time (a new server, another prefix or a recreated
 * stream each differ). `cctap up` joins the store behind it (up/up-destination.ts); this module stays free
 * of @cctap/store because `cctap collect` loads it.
 */
import type { Topology } from '@cctap/events';
import type { Destination } from '@cctap/collector';
import { isDeniedOrUnanswered, type connectNats, type Logger } from '@cctap/kit';

/**
 * The raw stream's identity, or null when it cannot be read: a host credential made before `cctap
 * nats-config` granted STREAM.INFO on it (checkpoints are then kept as they are, and a log line says why).
 */
export async function streamDestination(
  nc: Awaited<ReturnType<typeof connectNats>>,
  t: Topology,
  log: Logger,
): Promise<Destination | null> {
  const name = t.stream('raw');
  try {
    const r = await nc.request(`$JS.API.STREAM.INFO.${name}`, '', { timeout: 5000 });
    const info = r.json<{ created?: string; error?: { description?: string } }>();
    if (!info.created) throw new Error(info.error?.description ?? 'no creation time in the stream info');
    return {
      id: `nats:${name}@${info.created}`,
      label: `NATS stream ${name} created ${info.created} on ${nc.getServer()}`,
    };
  } catch (err) {
    const why = (err as Error).message;
    // A credential without the grant gets a permissions error or no answer at all.
    const hint = isDeniedOrUnanswered(err)
      ? ` (a host credential needs $JS.API.STREAM.INFO.${name}: re-run cctap nats-config)`
      : '';
    log.warn(
      `cannot read the stream info of ${name}: ${why}; checkpoints are not checked against the stream they were written for${hint}`,
    );
    return null;
  }
}
