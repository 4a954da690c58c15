/**
 * An object for keys the user chose (flags, config file keys, `--labels` names): without a prototype, so
 * `__proto__` or `constructor` is a key like any other instead of Object.prototype's member (and is then refused
 * as an unknown option, or kept as a label name).
 */
export const dict = <T>(): Record<string, T> => Object.create(null) as Record<string, T>;
