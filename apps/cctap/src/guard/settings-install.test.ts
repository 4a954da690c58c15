import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { installGuardHook, isGuardHook, managedSnippet, withGuardHook } from './settings-install.js';

const dir = mkdtempSync(join(tmpdir(), 'cctap-guard-install-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A user's settings with other hooks and settings that an install must keep as they are. */
const USER_SETTINGS = {
  model: 'opus',
  statusLine: { type: 'command', command: 'cctap statusline', padding: 0 },
  hooks: {
    PreToolUse: [{ matcher: 'Bash', hooks: [{ type: 'command', command: '~/bin/lint-bash.sh', timeout: 5 }] }],
    PostToolUse: [{ matcher: 'Edit|Write', hooks: [{ type: 'command', command: 'prettier --write' }] }],
  },
};

describe('cctap guard install', () => {
  it('adds the hook, keeps everything else, and a second run changes nothing', () => {
    const file = join(dir, 'settings.json');
    writeFileSync(file, JSON.stringify(USER_SETTINGS, null, 2));
    expect(installGuardHook(file, 'cctap guard')).toBe('installed');
    const once = readFileSync(file, 'utf8');
    const doc = JSON.parse(once);
    expect(doc.model).toBe('opus');
    expect(doc.statusLine).toEqual(USER_SETTINGS.statusLine);
    expect(doc.hooks.PostToolUse).toEqual(USER_SETTINGS.hooks.PostToolUse);
    expect(doc.hooks.PreToolUse).toEqual([
      USER_SETTINGS.hooks.PreToolUse[0],
      { matcher: '*', hooks: [{ type: 'command', command: 'cctap guard', timeout: 10 }] },
    ]);
    const mtime = statSync(file).mtimeMs;
    expect(installGuardHook(file, 'cctap guard')).toBe('unchanged');
    expect(readFileSync(file, 'utf8')).toBe(once);
    expect(statSync(file).mtimeMs).toBe(mtime);
  });

  it('replaces its own hook in place when the command changes', () => {
    const file = join(dir, 'settings.json');
    expect(installGuardHook(file, 'cctap guard --fail-closed')).toBe('updated');
    const pre = JSON.parse(readFileSync(file, 'utf8')).hooks.PreToolUse;
    expect(pre).toHaveLength(2);
    expect(pre[1].hooks[0].command).toBe('cctap guard --fail-closed');
  });

  it('uninstall removes only its hook, and restores the file as it was', () => {
    const file = join(dir, 'settings.json');
    expect(installGuardHook(file, null)).toBe('removed');
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(USER_SETTINGS);
    expect(installGuardHook(file, null)).toBe('absent');
  });

  it('takes its handler out of a group it shares with a user hook, and leaves the user hook', () => {
    const shared = {
      hooks: {
        PreToolUse: [
          {
            matcher: '*',
            hooks: [
              { type: 'command', command: 'node /opt/cctap/apps/cctap/dist/main.js guard' },
              { type: 'command', command: 'audit-log' },
            ],
          },
        ],
      },
    };
    const r = withGuardHook(shared, null);
    expect(r.outcome).toBe('removed');
    expect(r.settings).toEqual({
      hooks: { PreToolUse: [{ matcher: '*', hooks: [{ type: 'command', command: 'audit-log' }] }] },
    });
  });

  it('creates a missing settings file, private to the user', () => {
    const file = join(dir, 'new', 'settings.json');
    expect(installGuardHook(file, 'cctap-agent guard')).toBe('installed');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(installGuardHook(file, null)).toBe('removed');
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({});
  });

  it('refuses a settings file that is not JSON, and leaves it alone', () => {
    const file = join(dir, 'broken.json');
    writeFileSync(file, '{"model": ');
    expect(() => installGuardHook(file, 'cctap guard')).toThrow(/broken\.json is not valid JSON.*nothing was changed/);
    expect(readFileSync(file, 'utf8')).toBe('{"model": ');
  });

  it('knows its own commands and no others', () => {
    for (const c of [
      'cctap guard',
      'cctap-agent guard --fail-closed',
      '/usr/local/bin/cctap guard',
      'node /x/apps/cctap/dist/main.js guard',
    ])
      expect(isGuardHook({ type: 'command', command: c })).toBe(true);
    for (const c of ['cctap statusline', 'my-guard', 'mycctap guard', 'cctap sql "select guard"'])
      expect(isGuardHook({ type: 'command', command: c })).toBe(false);
  });

  it('prints a managed-settings snippet with the hook and allowManagedHooksOnly', () => {
    expect(JSON.parse(managedSnippet('cctap-agent guard --fail-closed'))).toEqual({
      hooks: {
        PreToolUse: [
          { matcher: '*', hooks: [{ type: 'command', command: 'cctap-agent guard --fail-closed', timeout: 10 }] },
        ],
      },
      allowManagedHooksOnly: true,
    });
  });
});
