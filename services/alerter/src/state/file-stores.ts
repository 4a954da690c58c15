/**
 * Alert records and silences in local journal files (`<data>/alerter/alerts.jsonl`, `silences.jsonl`): the
 * stores of `cctap up` on the in-process bus, where there is no NATS KV. `cctap alerts` opens the same files
 * when no `up` runs on that data directory (while one runs, it asks it over loopback: one writer per file).
 */
import { join } from 'node:path';
import type { AlertRecord, AlertStateStore } from './alert-record.js';
import { JournalFile } from './journal-file.js';
import type { Silence, SilenceStore } from './silences.js';

export class FileAlertStateStore implements AlertStateStore {
  readonly #file: JournalFile<AlertRecord>;
  constructor(path: string) {
    this.#file = new JournalFile(path);
  }
  get path(): string {
    return this.#file.path;
  }
  load(): Promise<AlertRecord[]> {
    return this.#file.values();
  }
  put(record: AlertRecord): Promise<void> {
    return this.#file.put(record.key, record);
  }
  delete(key: string): Promise<void> {
    return this.#file.delete(key);
  }
  close(): Promise<void> {
    return this.#file.close();
  }
}

export class FileSilenceStore implements SilenceStore {
  readonly #file: JournalFile<Silence>;
  constructor(path: string) {
    this.#file = new JournalFile(path);
  }
  list(): Promise<Silence[]> {
    return this.#file.values();
  }
  put(s: Silence): Promise<void> {
    return this.#file.put(s.id, s);
  }
  delete(id: string): Promise<void> {
    return this.#file.delete(id);
  }
  close(): Promise<void> {
    return this.#file.close();
  }
}

/** The alert and silence stores kept in `dir` (created 0700 when missing). */
export function openFileStores(dir: string): { alerts: FileAlertStateStore; silences: FileSilenceStore } {
  return { alerts: new FileAlertStateStore(join(dir, 'alerts.jsonl')), silences: new FileSilenceStore(join(dir, 'silences.jsonl')) };
}
