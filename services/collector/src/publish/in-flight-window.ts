/**
 * Bounds what is published but not yet acknowledged (count and bytes). When NATS is slow or down the
 * window fills, `acquire` waits, and the reader stops reading: backpressure instead of unbounded memory.
 */
export class InFlightWindow {
  private count = 0;
  private bytes = 0;
  private readonly waiters: Array<{ size: number; resolve: () => void }> = [];

  constructor(
    private readonly maxCount: number,
    private readonly maxBytes: number,
  ) {}

  get inFlight(): number {
    return this.count;
  }

  get inFlightBytes(): number {
    return this.bytes;
  }

  private fits(size: number): boolean {
    // An empty window always admits one message, however large, so nothing can wedge.
    return this.count === 0 || (this.count < this.maxCount && this.bytes + size <= this.maxBytes);
  }

  async acquire(size: number): Promise<void> {
    if (this.waiters.length === 0 && this.fits(size)) {
      this.count += 1;
      this.bytes += size;
      return;
    }
    await new Promise<void>((resolve) => this.waiters.push({ size, resolve }));
  }

  release(size: number): void {
    this.count -= 1;
    this.bytes -= size;
    while (this.waiters.length > 0 && this.fits(this.waiters[0]!.size)) {
      const w = this.waiters.shift()!;
      this.count += 1;
      this.bytes += w.size;
      w.resolve();
    }
  }
}
