/**
 * Which store this is: a random id written once into the store itself, so a wiped data directory, a new
 * ClickHouse database or another server each have their own. The collector of `cctap up` records it with
 * its checkpoints (offsets say what this store has, not what another one has).
 *
 * Created on first ask, not by a migration: a store written before it gets its id the first time it is
 * asked, which is when its checkpoints are claimed for it. Two first asks racing on one store each insert an
 * id; both then read the earliest, so they agree.
 */
import { randomUUID } from 'node:crypto';
import type { Store } from './open-store.js';

const TABLE = `CREATE TABLE IF NOT EXISTS store_identity (
  id String,
  created_at DateTime64(3, 'UTC') DEFAULT now64(3)
) ENGINE = MergeTree ORDER BY created_at`;

const EARLIEST = 'SELECT id FROM store_identity ORDER BY created_at, id LIMIT 1';

export async function storeIdentity(store: Store): Promise<string> {
  await store.command(TABLE);
  const found = await store.query<{ id: string }>(EARLIEST);
  if (found[0]) return found[0].id;
  await store.insert('store_identity', [{ id: randomUUID() }]);
  const made = await store.query<{ id: string }>(EARLIEST);
  return made[0]!.id;
}
