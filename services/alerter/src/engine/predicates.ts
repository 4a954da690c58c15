/**
 * Evaluates rule predicates against one input (a normalized or derived event). A predicate holds when it holds
 * for any of its fields; the returned `match` is what made it hold (the command or path), for the message.
 */
import { findDangerousCommands } from '../shell/dangerous-commands.js';
import { findSecretPathsInCommand, isSecretPath } from '../shell/secret-paths.js';
import type { Predicate } from '../rules/rule-schema.js';

/** Reads a dotted path (`payload.input.command`) from a plain object. */
export function getField(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

export interface PredicateHit {
  /** The field that matched. */
  field: string;
  /** The text shown as evidence: the command, the path, the dangerous kind. */
  match: string | null;
  /** For danger/secret predicates: what was found (`rm-rf-broad`, `.env`). */
  findings: string[];
}

const regexCache = new Map<string, RegExp>();
function regex(src: string, flags: string): RegExp {
  const k = `${flags}/${src}`;
  let r = regexCache.get(k);
  if (!r) {
    r = new RegExp(src, flags);
    regexCache.set(k, r);
  }
  return r;
}

function evalOne(p: Predicate, value: unknown): { ok: boolean; findings: string[] } {
  const none = { ok: false, findings: [] };
  const yes = { ok: true, findings: [] };
  if (p.exists !== undefined) return { ok: (value !== undefined && value !== null) === p.exists, findings: [] };
  if (p.equals !== undefined) return value === p.equals ? yes : none;
  if (p.notEquals !== undefined) return value !== p.notEquals && value !== undefined ? yes : none;
  if (p.in !== undefined) return p.in.includes(value as string) ? yes : none;
  if (typeof value === 'number') {
    if (p.gt !== undefined) return value > p.gt ? yes : none;
    if (p.gte !== undefined) return value >= p.gte ? yes : none;
    if (p.lt !== undefined) return value < p.lt ? yes : none;
    if (p.lte !== undefined) return value <= p.lte ? yes : none;
  }
  if (typeof value !== 'string') return none;
  if (p.regex !== undefined) return regex(p.regex, p.flags ?? 'i').test(value) ? yes : none;
  if (p.notRegex !== undefined) return regex(p.notRegex, p.flags ?? 'i').test(value) ? none : yes;
  if (p.danger !== undefined) {
    const wanted = p.danger;
    const found = findDangerousCommands(value).filter((f) => wanted === 'any' || wanted.includes(f.kind));
    return { ok: found.length > 0, findings: [...new Set(found.map((f) => f.kind))] };
  }
  if (p.secretPath) return isSecretPath(value) ? { ok: true, findings: [value] } : none;
  if (p.secretInCommand) {
    const found = findSecretPathsInCommand(value);
    return { ok: found.length > 0, findings: found };
  }
  return none;
}

function evaluatePredicate(p: Predicate, input: unknown): PredicateHit | null {
  const fields = typeof p.field === 'string' ? [p.field] : p.field;
  for (const field of fields) {
    const value = getField(input, field);
    const r = evalOne(p, value);
    if (r.ok)
      return {
        field,
        match: typeof value === 'string' ? value : value === undefined ? null : String(value),
        findings: r.findings,
      };
  }
  return null;
}

/** All `where` predicates hold and, when `whereAny` is non-empty, at least one of those. */
export function evaluateAll(
  where: readonly Predicate[],
  whereAny: readonly Predicate[],
  input: unknown,
): PredicateHit[] | null {
  const hits: PredicateHit[] = [];
  for (const p of where) {
    const h = evaluatePredicate(p, input);
    if (!h) return null;
    hits.push(h);
  }
  if (whereAny.length > 0) {
    let any = false;
    for (const p of whereAny) {
      const h = evaluatePredicate(p, input);
      if (h) {
        hits.push(h);
        any = true;
      }
    }
    if (!any) return null;
  }
  return hits;
}
