import { describe, expect, it } from 'vitest';
import { parseRuleSet, RulesConfigError } from '../rules/load-rules.js';

const problemsOf = (text: string): string[] => {
  try {
    parseRuleSet(text);
  } catch (err) {
    if (err instanceof RulesConfigError) return err.problems;
    throw err;
  }
  return [];
};

describe('budgets in the alerter configuration', () => {
  it('reads budgets with their defaults', () => {
    const rs = parseRuleSet(
      [
        'budgets:',
        '  - { name: eng, amount: 1000, scope: team, period: monthly }',
        '  - { name: alice, amount: 50, scope: user, only: alice, period: daily, timeZone: Europe/Berlin, forecastAfter: 0.25 }',
      ].join('\n'),
    );
    expect(rs.budgets).toEqual([
      {
        name: 'eng',
        amount: 1000,
        scope: 'team',
        period: 'monthly',
        timeZone: 'UTC',
        label: 'team',
        only: null,
        forecastAfter: 0.1,
      },
      {
        name: 'alice',
        amount: 50,
        scope: 'user',
        period: 'daily',
        timeZone: 'Europe/Berlin',
        label: 'team',
        only: 'alice',
        forecastAfter: 0.25,
      },
    ]);
    expect(parseRuleSet('').budgets).toEqual([]);
  });

  it('names each bad budget and field in one line', () => {
    expect(
      problemsOf(
        [
          'receivers: [{ name: ops, type: webhook, url: "http://127.0.0.1:1/x" }]',
          'budgets:',
          '  - { name: a, amount: 0, scope: users, period: monthly, timeZone: Mars/Olympus }',
          '  - { name: b, amount: 5, scope: everyone, only: x, period: daily }',
          '  - { name: c, amount: 5, scope: user, label: team, period: weekly, forecastAfter: 1 }',
          '  - { name: c, amount: 5, scope: user, period: weekly, every: day }',
          '  - { name: d, amount: 5, scope: project, period: weekly, receivers: [nobody] }',
          '  - { name: d, amount: 5, scope: project, period: weekly }',
        ].join('\n'),
      ),
    ).toEqual([
      'budget "a" (budgets[0]) field amount: a positive amount of USD',
      'budget "a" (budgets[0]) field scope: Invalid option: expected one of "user"|"team"|"project"|"everyone"',
      'budget "a" (budgets[0]) field timeZone: not an IANA time zone such as UTC or Europe/Berlin: Mars/Olympus',
      'budget "b" (budgets[1]) field only: scope everyone has no subjects to pick from',
      'budget "c" (budgets[2]) field forecastAfter: a share of the period below 1',
      'budget "c" (budgets[2]) field label: only scope team reads a host label',
      'budget "c" (budgets[3]): Unrecognized key: "every"',
      'budget "d" (budgets[4]) field receivers: unknown receiver "nobody"',
      'budget "d" (budgets[5]): duplicate budget name',
    ]);
  });
});
