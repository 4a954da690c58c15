/**
 * The guard's rules from the alerter's own configuration file: the same `rules`, `rulePack` and `disable`
 * (a rule of the file replaces the shipped one of the same name), validated by the same schema. Receivers
 * are the alerter's business and are left out, with each rule's `receivers`: a developer machine that holds
 * a copy of the team's file need not have the webhook secrets its `${VAR}` references name.
 *
 * Loaded by the guard only when a rule file is given (it brings zod and the YAML parser).
 */
import { parse as parseYaml } from 'yaml';
import { RulesConfigError, buildRuleSet, type RulesEnv } from '../rules/load-rules.js';
import { guardRulesOf, type GuardRule } from './guard-decision.js';

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
  const { rulePack, disable } = o;
  const set = buildRuleSet(
    {
      ...(rulePack !== undefined ? { rulePack } : {}),
      ...(disable !== undefined ? { disable } : {}),
      ...(rules !== undefined ? { rules } : {}),
    },
    opts,
  );
  return guardRulesOf(set.rules);
}
