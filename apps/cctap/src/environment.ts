/**
 * The process environment, read in this one place: the libraries and services below apps/ never read
 * process.env (an eslint rule keeps them from it); a command passes them the values it means, as options.
 */
export type Environment = Readonly<Record<string, string | undefined>>;

export const ENV: Environment = process.env;

/** A variable's value, with an empty one counted as unset (`CCTAP_DATA=` means the default). */
export const envValue = (name: string, env: Environment = ENV): string | undefined => env[name] || undefined;
