import { ENV, type Environment } from './environment.js';

/**
 * Whether a setting was asked for (a flag, or its CCTAP_* variable) rather than left to its default: a
 * terminal gets human output and warnings only by default, but what a user asked for always wins.
 */
export function explicitlySet(argv: readonly string[], flag: string, env: Environment = ENV): boolean {
  const name = `CCTAP_${flag.replace(/^--/, '').toUpperCase().replace(/-/g, '_')}`;
  return argv.some((a) => a === flag || a.startsWith(`${flag}=`)) || (env[name] !== undefined && env[name] !== '');
}
