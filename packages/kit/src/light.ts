/**
 * `@cctap/kit/light`: what the command needs from the kit before (or without) its work: the error classes a
 * failure is told by (a `--help` and an unknown option among them), the layout of a help's option lines, and what
 * opening a store needs. Nothing here loads zod, yaml, prom-client or the
 * NATS client, about 0.4 s of module loading that `cctap report --help` or a failure's one line does not need.
 * The same modules as the main entry, so an error class is the same class through either.
 */
export { ConfigError, AuthError, ConnectError, GaveUpWaitingError, StoppedWhileWaitingError } from './errors.js';
export { HelpRequest, UnknownOptionError } from './config/option-errors.js';
export { formatOption, HELP_OPTION_LINE } from './config/option-line.js';
// What opening a store needs (@cctap/store's light entry): the wait for a server and the private data directory.
export { waitUntilReachable, oneShotWait, WAIT_SECONDS_ENV, type WaitPolicy } from './runtime/wait-until-reachable.js';
export { privateDir } from './fs/private-dir.js';
