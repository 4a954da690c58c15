/**
 * Alert records and silences in local journal files (`<data>/alerter/alerts.jsonl`, `silences.jsonl`): the
 * stores of `cctap up` on the in-process bus, where there is no NATS KV. `cctap alerts` opens the same files
 * when no `up` runs on that data directory (while one runs, it asks it over loopback: one writer per file).
 */
import { join } from 'node:path';
import type { AlertRecord, AlertStateStore } from './alert-record.js';
import { JournalFile } from './journal-file.js';
import type { Silence, SilenceStore } from './silences.js';

/** Values kept in a journal file under the key `keyOf` gives them. */
class JournalStore<T> {
  readonly #file: JournalFile<T>;
  readonly #keyOf: (v: T) => string;
  constructor(path: string, keyOf: (v: T) => string) {
    this.#file = new JournalFile(path);
    this.#keyOf = keyOf;
  }
  get path(): string {
    return this.#file.path;
  }
  protected values(): Promise<T[]> {
    return this.#file.values();
  }
  put(v: T): Promise<void> {
    return this.#file.put(this.#keyOf(v), v);
  }
  delete(key: string): Promise<void> {
    return this.#file.delete(key);
  }
  close(): Promise<void> {
    return this.#file.close();
  }
}

export class FileAlertStateStore extends JournalStore<AlertRecord> implements AlertStateStore {
  constructor(path: string) {
    super(path, (r) => r.key);
  }
  load(): Promise<AlertRecord[]> {
    return this.values();
  }
}

export class FileSilenceStore extends JournalStore<Silence> implements SilenceStore {
  constructor(path: string) {
    super(path, (s) => s.id);
  }
  list(): Promise<Silence[]> {
    return this.values();
  }
}

/** The alert and silence stores kept in `dir` (created 0700 when missing). */
export function openFileStores(dir: string): { alerts: FileAlertStateStore; silences: FileSilenceStore } {
  return {
    alerts: new FileAlertStateStore(join(dir, 'alerts.jsonl')),
    silences: new FileSilenceStore(join(dir, 'silences.jsonl')),
  };
}
