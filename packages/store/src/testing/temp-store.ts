/** An embedded store in a fresh temporary directory, for tests on the real engine. Not exported by index.ts. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrate } from '../migrations/index.js';
import { openStore, type Store } from '../store/open-store.js';

export interface TempStore extends Store {
  /** The temporary directory; the store's data is in its `data` sub-directory. */
  readonly dir: string;
}

/**
 * Opens the store, migrated unless `migrated: false` (a test that migrates in steps); its close() also
 * removes the directory.
 */
export async function openTempStore(prefix: string, opts: { migrated?: boolean } = {}): Promise<TempStore> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const store = await openStore({ dataDir: join(dir, 'data') });
  if (opts.migrated !== false) await migrate(store);
  return {
    ...store,
    dir,
    async close() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
