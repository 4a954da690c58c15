/** What one masking rule is, and the marker every rule writes in place of what it masks. */

const REDACTION_PREFIX = '[REDACTED:';

/** `[REDACTED:<kind>]`. */
export const redactionMark = (kind: string): string => `${REDACTION_PREFIX}${kind}]`;

/** A rule's pre-check that `needle` occurs. */
export const has =
  (needle: string) =>
  (s: string): boolean =>
    s.includes(needle);

export interface SecretRule {
  kind: string;
  /** Cheap test that must pass before the regex runs. */
  pre: (s: string) => boolean;
  /** Global regex whose matches are masked. */
  re: RegExp;
  /** Replacement; receives the regex groups. Default: the whole match becomes the marker. */
  replace?: (match: string, ...groups: (string | undefined)[]) => string;
}
