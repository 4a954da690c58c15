/**
 * NATS failures told apart by class and code, never by their words: nats.js v3 throws a JetStreamApiError
 * whose `code` is the server's `err_code` (nats-server's jetstream_errors.json), and classes of its own for
 * the client's refusals (InvalidArgumentError, TimeoutError, PermissionViolationError).
 */
import { JetStreamApiError } from '@nats-io/jetstream';
import { InvalidArgumentError, PermissionViolationError, TimeoutError } from '@nats-io/transport-node';

export const JS_ERR = {
  consumerNameExists: 10013,
  consumerNotFound: 10014,
  insufficientResources: 10023,
  memoryResourcesExceeded: 10028,
  storageResourcesExceeded: 10047,
  /** JSStreamCreateErrF: a generic "{err}" the server fills with what failed. */
  streamCreate: 10049,
  /** JSStreamLimitsErrF: a stream's limits (max bytes) refused. */
  streamLimits: 10053,
  /** JSStreamMessageExceedsMaximumErr: larger than the stream's max_msg_size. */
  messageExceedsMaximum: 10054,
  /** JSStreamMsgDeleteFailedF: a delete of a sequence the stream does not hold (any more). */
  streamMsgDeleteFailed: 10057,
  streamNameExists: 10058,
  streamNotFound: 10059,
  /** JSStreamWrongLastSequenceErrF: a compare-and-swap write (KV update or delete at a revision) lost. */
  streamWrongLastSequence: 10071,
  /** JSStreamStoreFailedF: the store refused the write ("maximum bytes exceeded", a write error of the disk). */
  streamStoreFailed: 10077,
  maxStreamBytesExceeded: 10122,
  consumerAlreadyExists: 10148,
} as const;

/** The JetStream API error code of `err` (or of its cause), or undefined for any other error. */
export function jetStreamCode(err: unknown): number | undefined {
  if (err instanceof JetStreamApiError) return err.code;
  const cause = (err as { cause?: unknown } | null)?.cause;
  return cause instanceof JetStreamApiError ? cause.code : undefined;
}

/** A compare-and-swap write (KV create, update, or delete at a revision) found another revision there. */
export function isRevisionMismatch(err: unknown): boolean {
  if (jetStreamCode(err) === JS_ERR.streamWrongLastSequence) return true;
  // Older clients and some KV paths carry the server's words only.
  return /wrong last sequence/i.test((err as { message?: string } | null)?.message ?? '');
}

/** A stream or consumer that is not there. */
export function isJetStreamNotFound(err: unknown): boolean {
  const code = jetStreamCode(err);
  return code === JS_ERR.streamNotFound || code === JS_ERR.consumerNotFound;
}

/**
 * A message delete the server refused: its code for "no message found" (deleted already, past the end), and
 * for any other failure of the delete too, so a caller that ignores it must be able to try again later.
 */
export function isNoMessageFound(err: unknown): boolean {
  return jetStreamCode(err) === JS_ERR.streamMsgDeleteFailed;
}

/** The server cannot reserve the storage or memory asked for (the account's or its own limits). */
export function isJetStreamOutOfSpace(err: unknown): boolean {
  const code = jetStreamCode(err);
  return (
    code === JS_ERR.insufficientResources ||
    code === JS_ERR.memoryResourcesExceeded ||
    code === JS_ERR.storageResourcesExceeded ||
    code === JS_ERR.maxStreamBytesExceeded ||
    code === JS_ERR.streamLimits
  );
}

/**
 * A publish the store had no room for: the server's or account's JetStream storage is used up (insufficient
 * resources), or the store refused the write (the stream's max_bytes with discard new, a full disk). Retrying
 * succeeds only once something is consumed, expired or resized, so it is a state worth reporting, not a blip.
 */
export function isJetStreamStoreFull(err: unknown): boolean {
  const code = jetStreamCode(err);
  return (
    code === JS_ERR.insufficientResources ||
    code === JS_ERR.storageResourcesExceeded ||
    code === JS_ERR.streamStoreFailed
  );
}

/**
 * A message no retry can deliver: larger than the server's max_payload (the client refuses it before sending,
 * an InvalidArgumentError) or than the stream's max_msg_size.
 */
export function isMessageRefused(err: unknown): boolean {
  return err instanceof InvalidArgumentError || jetStreamCode(err) === JS_ERR.messageExceedsMaximum;
}

/**
 * A request the server did not let through (the credential lacks the grant: a RequestError caused by a
 * PermissionViolationError) or that nobody answered in time (a TimeoutError).
 */
export function isDeniedOrUnanswered(err: unknown): boolean {
  const cause = (err as { cause?: unknown } | null)?.cause;
  return (
    err instanceof TimeoutError || err instanceof PermissionViolationError || cause instanceof PermissionViolationError
  );
}
