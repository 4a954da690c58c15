import type { Prng } from './prng.js';

/**
 * Hosts and the projects (working directories) their developers work in. A generated session takes
 * one of its host's projects as cwd; the project folder name is Claude Code's slug of that cwd.
 */

/** Claude Code's project folder name: every char outside [A-Za-z0-9] becomes `-` (per UTF-16 unit). */
export function projectSlug(cwd: string): string {
  return cwd.replace(/[^A-Za-z0-9]/g, '-');
}

const PROJECT_NAMES = [
  'payments-api',
  'web-app',
  'infra',
  'data-pipeline',
  'docs.site',
  'mobile_client',
  'ml-experiments',
  'café-menu',
];

export interface HostPlan {
  readonly name: string;
  /** Root relative to the output directory ('' when the corpus has a single unnamed root). */
  readonly root: string;
  readonly projects: readonly string[];
}

export function planHosts(prng: Prng, hosts: number, named: boolean): HostPlan[] {
  const plans: HostPlan[] = [];
  for (let h = 1; h <= hosts; h++) {
    const name = `host-${String(h).padStart(2, '0')}`;
    const home = h % 2 === 1 ? `/home/dev${h}/src` : `/Users/dev${h}/work`;
    const count = prng.between(3, 5);
    const projects = prng
      .shuffled(PROJECT_NAMES)
      .slice(0, count)
      .map((p) => `${home}/${p}`);
    plans.push({ name, root: named ? name : '', projects });
  }
  return plans;
}
