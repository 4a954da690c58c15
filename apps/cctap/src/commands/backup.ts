/**
 * `cctap backup --to DIR` and (restore.ts) `cctap restore --from DIR`: the whole store with ClickHouse's own
 * BACKUP / RESTORE (@cctap/store backup/backup.ts). On the embedded engine DIR is a directory on this machine; on
 * a server it is a name on the server's `backups` disk (docs/deploy.md, "Backup and restore").
 */
import { EXIT } from '../exit-codes.js';
import type { CommandSpec, FlagSpecs } from '../flags/command-spec.js';
import { helpText, printHelp } from '../flags/command-help.js';
import { parseCommandLine } from '../flags/parse-command.js';
import { STORE_FLAGS, storeOptionsOf } from '../store-flags.js';
import type { Command } from './registry.js';
import { SUMMARIES } from './summaries.js';

const CLUSTER_FLAG = {
  type: 'string',
  arg: 'NAME',
  env: 'CCTAP_CLUSTER',
  description: 'a replicated cluster: BACKUP / RESTORE ON CLUSTER NAME',
} as const;

export const spec = {
  name: 'backup',
  summary: SUMMARIES.backup,
  usage: `usage: cctap backup --to DIR [--clickhouse URL [--cluster NAME] | --data DIR]

Backs up every table and view of the store (data and schema). Embedded engine: DIR is a new directory on
this machine. Server: DIR is a name on the server's 'backups' disk (config.d/backups.xml).`,
  flags: {
    to: { type: 'string', arg: 'DIR', description: 'where the backup goes (must not exist yet)' },
    cluster: CLUSTER_FLAG,
    ...STORE_FLAGS,
  },
} as const satisfies CommandSpec;

/** What backup and restore share: parse, open the store allowed to use DIR, run, say one line. */
export async function runBackupCommand(
  which: 'backup' | 'restore',
  cmd: CommandSpec & { flags: FlagSpecs },
  argv: string[],
): Promise<number> {
  const { given, help } = parseCommandLine(cmd, argv) as {
    given: { to?: string; from?: string; cluster?: string; clickhouse?: string; data?: string };
    help: boolean;
  };
  if (help) return printHelp(cmd);
  const location = which === 'backup' ? given.to : given.from;
  if (!location) {
    console.error(await helpText(cmd));
    return EXIT.usage;
  }
  const { openStore, backupStore, restoreStore, BackupError, ClusterDdlError, StoreQueryError } =
    await import('@cctap/store');
  const opts = await storeOptionsOf(given);
  if (opts.url === undefined && given.cluster) {
    console.error(`cctap ${which}: --cluster needs a ClickHouse server (--clickhouse URL)`);
    return EXIT.usage;
  }
  const store = await openStore(opts.url === undefined ? { ...opts, backupDir: location } : opts);
  try {
    const target = { location, cluster: given.cluster };
    const r = which === 'backup' ? await backupStore(store, target) : await restoreStore(store, target);
    console.log(
      `${which === 'backup' ? 'backed up' : 'restored'} ${r.tables} tables and views of ${r.database} ` +
        `${which === 'backup' ? 'to' : 'from'} ${r.destination} (${store.location})`,
    );
    return EXIT.ok;
  } catch (err) {
    if (err instanceof BackupError || err instanceof ClusterDdlError || err instanceof StoreQueryError) {
      console.error(`cctap ${which}: ${err.message.split('\n')[0]}`);
      return EXIT.failure;
    }
    throw err;
  } finally {
    await store.close();
  }
}

export const command: Command = {
  spec,
  run: (argv) => runBackupCommand('backup', spec, argv),
};
