/**
 * A subagent transcript's sidecar, `agent-<id>.meta.json` beside `agent-<id>.jsonl` (Claude Code 2.1.183+:
 * `{"agentType","description","toolUseId"}`, 2.1.187+ with `"spawnDepth":N`). The depth of a nested agent
 * is nowhere else: its lines land flat in the same `subagents/` folder. Read once when a file gets an
 * identity and handed to the normalizer with the file's context.
 *
 * Synchronous on purpose: a few hundred bytes, read once per agent file, and no await between identifying
 * a file and building its stream. A missing, unreadable, oversized or odd sidecar means "depth unknown"
 * (older releases write none; the writer may create it after the transcript).
 */
import { readFileSync, statSync } from 'node:fs';

const AGENT_FILE = /^(.*[\\/])?agent-[^\\/]+\.jsonl$/;
const MAX_META_BYTES = 64 * 1024;

export function readSpawnDepth(transcriptPath: string): number | undefined {
  if (!AGENT_FILE.test(transcriptPath)) return undefined;
  const metaPath = `${transcriptPath.slice(0, -'.jsonl'.length)}.meta.json`;
  try {
    if (statSync(metaPath).size > MAX_META_BYTES) return undefined;
    const meta: unknown = JSON.parse(readFileSync(metaPath, 'utf8'));
    const depth = typeof meta === 'object' && meta !== null ? (meta as { spawnDepth?: unknown }).spawnDepth : undefined;
    return typeof depth === 'number' && Number.isSafeInteger(depth) && depth >= 0 ? depth : undefined;
  } catch {
    return undefined;
  }
}

/** The depth as an optional TranscriptStream option: `{}` when unknown. */
export function spawnDepthOption(transcriptPath: string): { spawnDepth?: number } {
  const spawnDepth = readSpawnDepth(transcriptPath);
  return spawnDepth === undefined ? {} : { spawnDepth };
}
