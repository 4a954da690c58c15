/**
 * The rules of an alerter configuration, without the rest of it (receivers, budgets): validation of each
 * rule, the shipped pack merged in, `${VAR}` expansion. Kept apart from load-rules.ts so that what reads
 * only rules (`cctap guard`, on every tool call) loads neither the budgets nor what they import.
 */
import type { z } from 'zod';
import { RULE_PACK } from '../rule-pack/default-pack.js';
import { ruleSchema, type Rule } from './rule-schema.js';

export class RulesConfigError extends Error {
  override readonly name = 'RulesConfigError';
  readonly problems: string[];
  constructor(source: string, problems: string[]) {
    super(`${source}: ${problems.length} problem(s)\n  ${problems.join('\n  ')}`);
    this.problems = problems;
  }
}

/**
 * The environment `${VAR}` references in a rules file are expanded from: what the application read and passed
 * down (this package does not read the process environment). Without one, every reference is reported as not set.
 */
export type RulesEnv = Readonly<Record<string, string | undefined>>;

/** `${NAME}` in strings is replaced by the environment variable; a missing one is an error. */
export function expandEnv(value: unknown, env: RulesEnv, problems: string[], where: string): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Z_][A-Z0-9_]*)\}/g, (_m, name: string) => {
      const v = env[name];
      if (v === undefined) problems.push(`${where}: environment variable ${name} is not set`);
      return v ?? '';
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => expandEnv(v, env, problems, `${where}[${i}]`));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, expandEnv(v, env, problems, `${where}.${k}`)]));
  }
  return value;
}

export function describeIssues(error: z.ZodError, prefix: string): string[] {
  return error.issues.map((i) => `${prefix}${i.path.length ? ` field ${i.path.join('.')}` : ''}: ${i.message}`);
}

function ruleLabel(raw: unknown, index: number): string {
  const name = raw && typeof raw === 'object' && 'name' in raw ? String((raw as { name: unknown }).name) : '?';
  return `rule "${name}" (rules[${index}])`;
}

/** Validates a list of raw rules; throws RulesConfigError naming each bad rule and field. */
export function validateRules(raw: readonly unknown[], source = 'rules'): Rule[] {
  const problems: string[] = [];
  const rules: Rule[] = [];
  const seen = new Set<string>();
  raw.forEach((r, i) => {
    const parsed = ruleSchema.safeParse(r);
    if (!parsed.success) {
      problems.push(...describeIssues(parsed.error, ruleLabel(r, i)));
      return;
    }
    if (seen.has(parsed.data.name)) problems.push(`${ruleLabel(r, i)}: duplicate rule name`);
    seen.add(parsed.data.name);
    rules.push(parsed.data);
  });
  if (problems.length) throw new RulesConfigError(source, problems);
  return rules;
}

/** The rules in force: the shipped pack (unless `rulePack: false`) less the disabled and the replaced ones, then the file's own; enabled ones only. */
export function rulesInForce(own: readonly Rule[], cfg: { rulePack: boolean; disable: readonly string[] }): Rule[] {
  const names = new Set(own.map((r) => r.name));
  const pack = cfg.rulePack
    ? validateRules(RULE_PACK, 'rule pack').filter((r) => !names.has(r.name) && !cfg.disable.includes(r.name))
    : [];
  return [...pack, ...own].filter((r) => r.enabled);
}
