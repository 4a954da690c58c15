/** Validates the `budgets:` section; each problem is one line naming the budget and the field. */
import { budgetSchema, type BudgetConfig } from './budget-schema.js';

function budgetLabel(raw: unknown, index: number): string {
  const name = raw && typeof raw === 'object' && 'name' in raw ? String((raw as { name: unknown }).name) : '?';
  return `budget "${name}" (budgets[${index}])`;
}

export function validateBudgets(
  raw: readonly unknown[],
  receiverNames: ReadonlySet<string>,
): { budgets: BudgetConfig[]; problems: string[] } {
  const problems: string[] = [];
  const budgets: BudgetConfig[] = [];
  const seen = new Set<string>();
  raw.forEach((r, i) => {
    const parsed = budgetSchema.safeParse(r);
    if (!parsed.success) {
      for (const issue of parsed.error.issues)
        problems.push(
          `${budgetLabel(r, i)}${issue.path.length ? ` field ${issue.path.join('.')}` : ''}: ${issue.message}`,
        );
      return;
    }
    const b = parsed.data;
    if (seen.has(b.name)) problems.push(`${budgetLabel(r, i)}: duplicate budget name`);
    seen.add(b.name);
    for (const name of b.receivers ?? [])
      if (!receiverNames.has(name)) problems.push(`${budgetLabel(r, i)} field receivers: unknown receiver "${name}"`);
    budgets.push(b);
  });
  return { budgets, problems };
}
