/**
 * The commands of `cctap-agent`, the install for a developer machine. `collect` is the very module behind
 * `cctap collect` (same flags, same help): the agent is a second front door to it, not a copy. Imported from
 * the built app so that the bundle (scripts/build.mjs) follows only this command's imports: the embedded
 * ClickHouse engine and the other services stay out of it.
 */
import type { Command } from '../../cctap/dist/commands/registry.js';

type Loader = () => Promise<{ command: Command }>;

export const AGENT_COMMANDS: Record<string, Loader> = {
  collect: () => import('../../cctap/dist/commands/collect.js'),
  guard: () => import('./guard.js'),
};
