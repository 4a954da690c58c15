/**
 * Parses and validates an alerter configuration. Every error names the rule (or receiver) and the field, so
 * a typo in one rule of fifty is found in one read: `rule "session-cost" (rules[3]) field window: not a duration`.
 */
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { BudgetConfig } from '../budgets/budget-schema.js';
import { validateBudgets } from '../budgets/validate-budgets.js';
import { RULE_PACK } from '../rule-pack/default-pack.js';
import { alerterConfigSchema, ruleSchema, type ReceiverConfig, type Rule } from './rule-schema.js';

export class RulesConfigError extends Error {
  override readonly name = 'RulesConfigError';
  readonly problems: string[];
  constructor(source: string, problems: string[]) {
    super(`${source}: ${problems.length} problem(s)\n  ${problems.join('\n  ')}`);
    this.problems = problems;
  }
}

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

function describeIssues(error: z.ZodError, prefix: string): string[] {
  return error.issues.map((i) => `${prefix}${i.path.length ? ` field ${i.path.join('.')}` : ''}: ${i.message}`);
}

/** `${NAME}` in strings is replaced by the environment variable; a missing one is an error. */
function expandEnv(value: unknown, env: RulesEnv, problems: string[], where: string): unknown {
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

/** Parses YAML or JSON text (JSON is YAML) into a validated rule set, merged with the shipped pack. */
/**
 * The environment `${VAR}` references in a rules file are expanded from: what the application read and passed
 * down (this package does not read the process environment). Without one, every reference is reported as not set.
 */
export type RulesEnv = Readonly<Record<string, string | undefined>>;

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
  const names = new Set(own.map((r) => r.name));
  const pack = cfg.rulePack
    ? validateRules(RULE_PACK, 'rule pack').filter((r) => !names.has(r.name) && !cfg.disable.includes(r.name))
    : [];
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
    rules: [...pack, ...own].filter((r) => r.enabled),
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
