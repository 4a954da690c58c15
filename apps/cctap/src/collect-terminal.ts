/**
 * What `cctap collect` shows. On a terminal (stderr is a TTY) unless --log-format / CCTAP_LOG_FORMAT says
 * otherwise: short human log lines (warnings and errors unless a --log-level was asked for), a line saying
 * what the backfill will read, the progress bar redrawn in place and the line that ends the backfill, as
 * `cctap up` does. Anywhere else (a service manager, a pipe) or with --log-format json: JSON log lines, a
 * progress line every 5 s.
 */
import type { CollectorService } from '@cctap/collector';
import type { Logger, LogFormat, LogLevel } from '@cctap/kit';
import { explicitlySet } from './explicit-option.js';
import { mb, progressBar } from './progress-format.js';

const ESC = '\u001b[';

export class CollectOutput {
  readonly tty: boolean;
  readonly format: LogFormat;
  readonly level: LogLevel;
  /** The bar as last drawn ('' when there is none), redrawn under a log line. */
  private barLine = '';

  constructor(
    cfg: { logFormat: LogFormat; logLevel: LogLevel },
    argv: readonly string[],
    isTTY = process.stderr.isTTY === true,
  ) {
    this.tty = isTTY && (cfg.logFormat === 'pretty' || !explicitlySet(argv, '--log-format'));
    this.format = this.tty ? 'pretty' : cfg.logFormat;
    this.level = this.tty && !explicitlySet(argv, '--log-level') ? 'warn' : cfg.logLevel;
  }

  /** Where log lines go: on a terminal, above the progress bar. */
  readonly write = (line: string): void => {
    process.stderr.write(this.tty ? `\r${ESC}2K${line}${this.barLine}` : line);
  };

  /** Shows the backfill of `collector` (started later): a bar on a terminal, log lines otherwise. */
  showBackfill(collector: CollectorService, log: Logger, o: { roots: readonly string[]; once: boolean }): void {
    let lastLog = 0;
    let announced = false;
    collector.events.on('progress', (p) => {
      if (!this.tty) {
        if (Date.now() - lastLog > 5000) {
          lastLog = Date.now();
          log.info('backfill progress', { ...p });
        }
        return;
      }
      if (!announced) {
        announced = true;
        process.stderr.write(
          `cctap collect: ${p.filesTotal} transcript files, ${mb(Math.max(0, p.bytesTotal - p.bytesRead))} to read under ${o.roots.join(', ')}\n`,
        );
      }
      this.barLine = progressBar(p);
      process.stderr.write(`\r${ESC}2K${this.barLine}`);
    });
    collector.events.on('backfill-done', (p) => {
      const text = `backfill done: ${p.filesTotal} files, ${mb(p.bytesRead)}, ${p.eventsPublished} events in ${p.seconds.toFixed(1)}s`;
      if (!this.tty) {
        log.info(text, { ...p });
        return;
      }
      this.barLine = '';
      process.stderr.write(`\r${ESC}2K${ESC}32m${text}${o.once ? '' : '; tailing new lines (Ctrl-C stops)'}${ESC}0m\n`);
    });
  }
}
