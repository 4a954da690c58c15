/**
 * Whose checkpoints these are. An offset says "everything before this byte is in the destination"; that
 * holds for the JetStream stream (or store) the lines were delivered to, not for another one. Pointed at a
 * new NATS server, another prefix, a recreated stream or another store with the old checkpoints, a collector
 * would find every file caught up and send nothing. So the state directory records the destination
 * (`destination.json`: an id and a label for people), and a start with another one forgets what was
 * delivered (the checkpoints and the delivered-line records, delivered/) and reads every transcript again:
 * from byte 0, or from its end for a file older than `--since` (tail/start-position.ts).
 *
 * Order on a change: forget, then record the new destination. A crash in between finds the old destination
 * and forgets again, which forgets nothing more. State from before this file existed is taken as belonging
 * to the destination it is first started with (it most likely does; forgetting it would re-send all).
 */
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { privateDir } from '@cctap/kit';
import { z } from 'zod';
import { CHECKPOINT_FILE } from './checkpoint-store.js';
import { writeDurably } from './durable-write.js';

/** What the collector delivers to: `id` compares destinations, `label` names one in a log line. */
export interface Destination {
  id: string;
  label: string;
}

export const DESTINATION_FILE = 'destination.json';
const DELIVERED_DIR = 'delivered';

const destinationFile = z.object({ id: z.string(), label: z.string() });

/** What a reset forgot: checkpoint entries (files) and the transcript streams with delivered-line records. */
export interface Forgotten {
  files: number;
  sessions: number;
}

export type Claim = { kind: 'same' | 'first' } | { kind: 'changed'; previous: Destination; forgotten: Forgotten };

function countEntries(stateDir: string): number {
  try {
    const parsed = JSON.parse(readFileSync(join(stateDir, CHECKPOINT_FILE), 'utf8')) as {
      files?: Record<string, unknown>;
    };
    return Object.keys(parsed.files ?? {}).length;
  } catch {
    return 0;
  }
}

function countSessions(stateDir: string): number {
  try {
    return new Set(readdirSync(join(stateDir, DELIVERED_DIR)).map((n) => n.split('.')[0])).size;
  } catch {
    return 0;
  }
}

/** Forgets everything delivered from `stateDir` (checkpoints, delivered-line records); the destination record stays. */
export function forgetDeliveries(stateDir: string): Forgotten {
  const forgotten = { files: countEntries(stateDir), sessions: countSessions(stateDir) };
  rmSync(join(stateDir, CHECKPOINT_FILE), { force: true });
  rmSync(join(stateDir, DELIVERED_DIR), { recursive: true, force: true });
  return forgotten;
}

function recorded(stateDir: string): Destination | null {
  let text: string;
  try {
    text = readFileSync(join(stateDir, DESTINATION_FILE), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  let parsed: Destination | undefined;
  try {
    parsed = destinationFile.parse(JSON.parse(text));
  } catch {
    // An unreadable record cannot vouch for the checkpoints: treated as another destination.
  }
  return parsed ?? { id: '', label: `an unreadable ${DESTINATION_FILE}` };
}

/** Makes `stateDir` belong to `dest`: the same one keeps its state, another one forgets it first. */
export function claimDestination(stateDir: string, dest: Destination): Claim {
  privateDir(stateDir);
  const record = () => writeDurably(stateDir, join(stateDir, DESTINATION_FILE), JSON.stringify(dest));
  const previous = recorded(stateDir);
  if (previous?.id === dest.id) {
    if (previous.label !== dest.label) record();
    return { kind: 'same' };
  }
  if (!previous) {
    record();
    return { kind: 'first' };
  }
  const forgotten = forgetDeliveries(stateDir);
  record();
  return { kind: 'changed', previous, forgotten };
}
