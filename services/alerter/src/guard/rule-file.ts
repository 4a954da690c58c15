/**
 * The guard's rules from the alerter's own configuration file: the same `rules`, `rulePack` and `disable`
 * (a rule of the file replaces the shipped one of the same name), validated by the same schema. Receivers
 * and budgets are the alerter's business and are left out, with each rule's `receivers`: a developer
 * machine that holds a copy of the team's file need not have the webhook secrets its `${VAR}` references
 * name, nor load what budgets need.
 *
 * Loaded by the guard only when a rule file is given (it brings zod and the YAML parser).
 */
import { parse as parseYaml } from 'yaml';
import { alerterConfigSchema } from '../rules/rule-schema.js';
import {
  describeIssues,
  expandEnv,
  RulesConfigError,
  rulesInForce,
  validateRules,
  type RulesEnv,
} from '../rules/rule-list.js';
import { guardRulesOf, type GuardRule } from './guard-decision.js';

const guardPartSchema = alerterConfigSchema.pick({ rulePack: true, disable: true, rules: true });

export function guardRulesOfFile(text: string, opts: { source: string; env: RulesEnv }): GuardRule[] {
  let doc: unknown;
  try {
    doc = text.trim() === '' ? {} : parseYaml(text);
  } catch (err) {
    throw new RulesConfigError(opts.source, [`not valid YAML/JSON: ${(err as Error).message}`]);
  }
  const o = doc && typeof doc === 'object' ? (doc as Record<string, unknown>) : {};
  const rules = Array.isArray(o.rules)
    ? o.rules.map((r: unknown) => {
        if (!r || typeof r !== 'object') return r;
        const { receivers: _alerterOnly, ...rest } = r as Record<string, unknown>;
        return rest;
      })
    : o.rules;
  const problems: string[] = [];
  const part = expandEnv({ rulePack: o.rulePack, disable: o.disable, rules }, opts.env, problems, 'config');
  if (problems.length) throw new RulesConfigError(opts.source, problems);
  const parsed = guardPartSchema.safeParse(part);
  if (!parsed.success) throw new RulesConfigError(opts.source, describeIssues(parsed.error, 'config'));
  return guardRulesOf(rulesInForce(validateRules(parsed.data.rules, opts.source), parsed.data));
}
