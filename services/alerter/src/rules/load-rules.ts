/**
 * Parses and validates an alerter configuration. Every error names the rule (or receiver) and the field, so
 * a typo in one rule of fifty is found in one read: `rule "session-cost" (rules[3]) field window: not a duration`.
 */
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { BudgetConfig } from '../budgets/budget-schema.js';
import { validateBudgets } from '../budgets/validate-budgets.js';
import { alerterConfigSchema, type ReceiverConfig, type Rule } from './rule-schema.js';
import { expandEnv, RulesConfigError, rulesInForce, validateRules, type RulesEnv } from './rule-list.js';

export { RulesConfigError, validateRules, type RulesEnv };

export interface RuleSet {
  rules: Rule[];
  receivers: ReceiverConfig[];
  defaults: { groupWait: number; groupInterval: number; repeatInterval: number; resolveAfter: number };
  inhibitEqual: string[];
  maxEventAgeMs: number;
  /** Spending budgets (`budgets:`), alerted on by budgets/budget-tracker.ts. */
  budgets: BudgetConfig[];
}

/** Alertmanager's defaults (docs/configuration.md). */
export const DEFAULT_TIMING = {
  groupWait: 30_000,
  groupInterval: 300_000,
  repeatInterval: 14_400_000,
  resolveAfter: 300_000,
};

/** The whole file: rules, receivers and the rest (rule-schema.ts), and `budgets:` (budgets/budget-schema.ts). */
const configFileSchema = alerterConfigSchema.extend({ budgets: z.array(z.unknown()).default([]) });

/** Parses YAML or JSON text (JSON is YAML) into a validated rule set, merged with the shipped pack. */
export function parseRuleSet(text: string, opts: { source?: string; env?: RulesEnv } = {}): RuleSet {
  const source = opts.source ?? 'alerter config';
  let doc: unknown;
  try {
    doc = text.trim() === '' ? {} : parseYaml(text);
  } catch (err) {
    throw new RulesConfigError(source, [`not valid YAML/JSON: ${(err as Error).message}`]);
  }
  return buildRuleSet(doc ?? {}, { source, env: opts.env ?? {} });
}

export function buildRuleSet(doc: unknown, opts: { source?: string; env?: RulesEnv } = {}): RuleSet {
  const source = opts.source ?? 'alerter config';
  const problems: string[] = [];
  const expanded = expandEnv(doc, opts.env ?? {}, problems, 'config');
  if (problems.length) throw new RulesConfigError(source, problems);
  const parsed = configFileSchema.safeParse(expanded);
  if (!parsed.success) {
    throw new RulesConfigError(
      source,
      parsed.error.issues.map((i) => {
        const [top, idx] = i.path;
        const named =
          top === 'receivers' && typeof idx === 'number'
            ? `receiver "${String((expanded as { receivers?: { name?: unknown }[] }).receivers?.[idx]?.name ?? '?')}"`
            : String(top ?? 'config');
        return `${named}${i.path.length > 1 ? ` field ${i.path.slice(top === 'receivers' ? 2 : 1).join('.')}` : ''}: ${i.message}`;
      }),
    );
  }
  if (problems.length) throw new RulesConfigError(source, problems);
  const cfg = parsed.data;
  const own = validateRules(cfg.rules, source);
  const receiverNames = new Set(cfg.receivers.map((r) => r.name));
  const dupReceivers = cfg.receivers.filter((r, i) => cfg.receivers.findIndex((o) => o.name === r.name) !== i);
  for (const r of dupReceivers) problems.push(`receiver "${r.name}": duplicate receiver name`);
  own.forEach((r) => {
    for (const name of r.receivers ?? [])
      if (!receiverNames.has(name)) problems.push(`rule "${r.name}" field receivers: unknown receiver "${name}"`);
  });
  const budgets = validateBudgets(cfg.budgets, receiverNames);
  problems.push(...budgets.problems);
  if (problems.length) throw new RulesConfigError(source, problems);
  return {
    rules: rulesInForce(own, cfg),
    receivers: cfg.receivers,
    defaults: {
      ...DEFAULT_TIMING,
      ...Object.fromEntries(Object.entries(cfg.defaults).filter(([, v]) => v !== undefined)),
    },
    inhibitEqual: cfg.inhibitEqual,
    maxEventAgeMs: cfg.maxEventAge,
    budgets: budgets.budgets,
  };
}
