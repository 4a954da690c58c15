import { describe, expect, it } from 'vitest';
import { checkDimension, checkTimeZone, dayWindow, parseDay, ReportOptionError } from './options.js';

describe('report options', () => {
  it('accepts both date spellings ccusage accepts', () => {
    expect(parseDay('20260212', '--since')).toBe('2026-02-12');
    expect(parseDay('2026-02-12', '--since')).toBe('2026-02-12');
  });

  it('rejects what is not a calendar date, zone or dimension, naming the flag', () => {
    expect(() => parseDay('2026-02-30', '--until')).toThrow(/--until is not a calendar date/);
    expect(() => parseDay('yesterday', '--since')).toThrow(ReportOptionError);
    expect(() => checkTimeZone('Mars/Olympus')).toThrow(/--tz/);
    expect(() => checkDimension('repo')).toThrow(/--by must be one of user, host, project, branch, model/);
    expect(checkDimension('branch')).toBe('branch');
  });

  it('widens the raw prefilter so every line of a response in range is read', () => {
    const w = dayWindow({ since: '20260201', until: '20260202', tz: 'Europe/Berlin' });
    expect(w.params).toEqual({ tz: 'Europe/Berlin', since: '2026-02-01', until: '2026-02-02' });
    expect(w.prefilter).toContain('INTERVAL 2 DAY');
    expect(w.where).toBe('toDate(ts, {tz:String}) >= {since:Date} AND toDate(ts, {tz:String}) <= {until:Date}');
  });
});
