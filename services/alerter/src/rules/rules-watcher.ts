/**
 * Reloads the rules file when it changes: fs.watch on its directory (fast, but lossy on some file systems and
 * editors that replace files) plus a periodic stat (mtime, size, inode) that catches whatever the watch
 * missed. A new file that does not parse or validate keeps the old rules and reports the error.
 */
import { watch, type FSWatcher } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { parseRuleSet, type RuleSet, type RulesEnv } from './load-rules.js';

export interface RulesWatcherOptions {
  file: string;
  onReload: (rules: RuleSet) => void;
  onError: (err: Error) => void;
  intervalMs?: number;
  /** What the file's `${VAR}` references expand from (load-rules.ts). */
  env?: RulesEnv;
}

export async function loadRuleFile(file: string, env?: RulesEnv): Promise<RuleSet> {
  return parseRuleSet(await readFile(file, 'utf8'), { source: file, ...(env ? { env } : {}) });
}

export class RulesWatcher {
  readonly #o: RulesWatcherOptions;
  #sig = '';
  #watcher: FSWatcher | null = null;
  #timer: ReturnType<typeof setInterval> | null = null;
  #checking: Promise<void> | null = null;

  constructor(o: RulesWatcherOptions) {
    this.#o = o;
  }

  async #signature(): Promise<string> {
    try {
      const s = await stat(this.#o.file);
      return `${s.ino}:${s.size}:${s.mtimeMs}`;
    } catch {
      return 'missing';
    }
  }

  /** Starts watching; the first signature is taken now (the caller loaded the current file already). */
  async start(): Promise<void> {
    this.#sig = await this.#signature();
    try {
      this.#watcher = watch(dirname(this.#o.file), (_ev, name) => {
        if (name === null || name === basename(this.#o.file)) void this.check();
      });
      this.#watcher.on('error', () => undefined);
    } catch {
      // No watch support: the periodic stat still works.
    }
    this.#timer = setInterval(() => void this.check(), this.#o.intervalMs ?? 2000);
    this.#timer.unref();
  }

  /** Reloads if the file changed since the last look. */
  check(): Promise<void> {
    this.#checking ??= (async () => {
      try {
        const sig = await this.#signature();
        if (sig === this.#sig) return;
        this.#sig = sig;
        try {
          this.#o.onReload(await loadRuleFile(this.#o.file, this.#o.env));
        } catch (err) {
          this.#o.onError(err as Error);
        }
      } finally {
        this.#checking = null;
      }
    })();
    return this.#checking;
  }

  stop(): void {
    this.#watcher?.close();
    if (this.#timer) clearInterval(this.#timer);
  }
}
