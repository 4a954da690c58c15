/**
 * `@cctap/alerter/guard`: what `cctap guard` (and `cctap-agent guard`) needs to judge a tool call before it
 * runs, and nothing else: the guard decision over the rules, and the shipped rule pack. Kept apart from the
 * package's main entry so a hook that runs for every tool call loads no NATS client, zod or YAML parser.
 */
export { decide, guardRulesOf, type GuardDecision, type GuardRule, type GuardVerdict } from './guard-decision.js';
export { RULE_PACK } from '../rule-pack/default-pack.js';
