/**
 * What a command answers when its command line is a question or a mistake rather than work: `--help` (the
 * config loader's generated option list, exit 0) and an unknown flag or config file key (one line naming the
 * close option, exit 2). Shared by runCommand and the commands that read their options before it.
 */
import { HelpRequest, UnknownOptionError } from '@cctap/kit/light';
import { EXIT } from '../exit-codes.js';
import { unknownOptionMessage } from './parse-flags.js';

/** `<message>. Run 'cctap <command> --help' for its options.` (no doubled stop after a question). */
export function withHelpHint(command: string, message: string): string {
  return `${message}${/[.?!]$/.test(message) ? '' : '.'} Run 'cctap ${command} --help' for its options.`;
}

/** Prints the answer to `--help` or an unknown option and returns the exit code; null for any other error. */
export function usageExit(command: string, err: unknown): number | null {
  if (err instanceof HelpRequest) {
    console.log(err.text);
    return EXIT.ok;
  }
  if (err instanceof UnknownOptionError) {
    const what = unknownOptionMessage(err.option, err.known);
    console.error(
      `cctap ${command}: ${err.file === undefined ? withHelpHint(command, what) : `--config ${err.file}: ${what}`}`,
    );
    return EXIT.usage;
  }
  return null;
}
