/** `cctap restore --from DIR`: a backup of `cctap backup` into a store without tables (see backup.ts). */
import type { CommandSpec } from '../flags/command-spec.js';
import type { Command } from './registry.js';
import { spec as backupSpec, runBackupCommand } from './backup.js';
import { SUMMARIES } from './summaries.js';

export const spec = {
  name: 'restore',
  summary: SUMMARIES.restore,
  usage: `usage: cctap restore --from DIR [--clickhouse URL [--cluster NAME] | --data DIR]

Restores every table and view of a 'cctap backup' into a store that has no tables yet (a new --data
directory, or a server database without tables).`,
  flags: {
    from: {
      type: 'string',
      arg: 'DIR',
      description: "the backup: a directory, or a name on the server's 'backups' disk",
    },
    cluster: backupSpec.flags.cluster,
    clickhouse: backupSpec.flags.clickhouse,
    data: backupSpec.flags.data,
  },
} as const satisfies CommandSpec;

export const command: Command = {
  spec,
  run: (argv) => runBackupCommand('restore', spec, argv),
};
