/**
 * What a command line that asks a question or names no option throws: `--help` (HelpRequest) and an unknown
 * flag or config file key (UnknownOptionError). Apart from the config loader (zod, yaml) so that the command
 * can tell them from other failures without loading it (`@cctap/kit/light`).
 */
import { ConfigError } from '../errors.js';

/** `--help` was asked for: the command prints `text` and exits 0 (the CLI's runCommand does). */
export class HelpRequest extends Error {
  override readonly name = 'HelpRequest';
  constructor(readonly text: string) {
    super('help requested');
  }
}

/**
 * A flag or config file key that is no option of the command. `known` lists the spellings it could have
 * meant (flags as `--metrics-port`, file keys as `metrics-port`), so the CLI can say which one is close.
 */
export class UnknownOptionError extends ConfigError {
  constructor(
    readonly option: string,
    readonly known: readonly string[],
    /** The config file it was found in; undefined for a command-line flag. */
    readonly file?: string,
  ) {
    super(
      file === undefined
        ? `invalid configuration: unknown option ${option}`
        : `--config: ${file} has an unknown key '${option}'`,
    );
  }
}
