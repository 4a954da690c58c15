/**
 * Which component dies in which order, from a seed: every component at least `minEach` times, the rest drawn
 * uniformly, the whole list shuffled; the gaps between kills are drawn from the same generator. The same
 * seed and counts give the same schedule (the moments still depend on how fast the machine is).
 */
import { createPrng, type Prng } from '../../bench/corpus/prng.js';

export const COMPONENTS = ['collector', 'validator', 'analyzer', 'alerter', 'sink', 'nats-server'] as const;
export type Component = (typeof COMPONENTS)[number];

export interface KillPlan {
  readonly target: Component;
  /** Wait before this kill, ms. */
  readonly gapMs: number;
  /** How long a killed nats-server stays down, ms (other components restart at once). */
  readonly downMs: number;
  /** Which collector, when the target is a collector (an index into the host list). */
  readonly pick: number;
}

class KillScheduleError extends Error {
  override readonly name = 'KillScheduleError';
}

export function killSchedule(o: {
  seed: number;
  kills: number;
  minEach: number;
  components?: readonly Component[];
  gapMs: readonly [number, number];
  natsDownMs?: readonly [number, number];
}): KillPlan[] {
  const components = o.components ?? COMPONENTS;
  if (o.kills < components.length * o.minEach) {
    throw new KillScheduleError(`${o.kills} kills cannot hit ${components.length} components ${o.minEach} times each`);
  }
  const prng: Prng = createPrng(o.seed);
  const targets: Component[] = components.flatMap((c) => Array.from({ length: o.minEach }, () => c));
  while (targets.length < o.kills) targets.push(components[prng.int(components.length)]!);
  const [down0, down1] = o.natsDownMs ?? [200, 1500];
  return prng.shuffled(targets).map((target) => ({
    target,
    gapMs: prng.between(o.gapMs[0], o.gapMs[1]),
    downMs: prng.between(down0, down1),
    pick: prng.int(1_000_000),
  }));
}
