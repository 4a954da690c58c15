/**
 * The open descriptors of tracked files, kept within the budget (descriptor-budget.ts). A file keeps its
 * descriptor while it is read and for as long as it is hot, so a growing file is not reopened for every
 * append, and a removed or renamed file can still be read to its end through it. When the budget is
 * reached, the least recently used files that are read to their end are closed (down to three quarters of
 * it, so that scan runs once per many opens, not per open); a closed file is reopened when it grows. Files
 * still being read keep theirs.
 */
import { open } from 'node:fs/promises';
import type { FileRegistry } from './file-registry.js';
import type { Tracked } from './tracked-file.js';

export class DescriptorCache {
  private openCount = 0;

  constructor(
    private readonly files: FileRegistry,
    /** How many descriptors may be open at once (descriptorBudget). */
    private readonly maxOpen: number,
  ) {}

  get open(): number {
    return this.openCount;
  }

  /** Opens `path` into `t.fh`, making room first at the budget; throws what open() throws. */
  async openFor(t: Tracked, path: string): Promise<void> {
    if (this.openCount >= this.maxOpen) await this.makeRoom();
    t.fh = await open(path, 'r');
    this.openCount += 1;
  }

  async close(t: Tracked): Promise<void> {
    const fh = t.fh;
    t.fh = null;
    if (!fh) return;
    this.openCount -= 1;
    await fh.close().catch(() => undefined);
  }

  /** Housekeeping when the reads are done: back within the budget, least recently used first. */
  closeIdle(): void {
    const idle = this.idleOpenFiles();
    void this.closeLeastRecentlyUsed(idle, idle.length - this.maxOpen);
  }

  async closeAll(): Promise<void> {
    for (const t of this.files.all()) await this.close(t);
  }

  private async makeRoom(): Promise<void> {
    await this.closeLeastRecentlyUsed(this.idleOpenFiles(), this.openCount - Math.floor(this.maxOpen * 0.75));
  }

  /** Files holding a descriptor that are read to their end. */
  private idleOpenFiles(): Tracked[] {
    const idle: Tracked[] = [];
    for (const t of this.files.all()) if (t.fh !== null && t.readPos >= t.lastSize) idle.push(t);
    return idle;
  }

  private async closeLeastRecentlyUsed(files: Tracked[], n: number): Promise<void> {
    if (n <= 0) return;
    files.sort((a, b) => a.lastUsedAt - b.lastUsedAt);
    await Promise.all(files.slice(0, n).map((t) => this.close(t)));
  }
}
