/**
 * The environment a benchmark starts `cctap` with: this one without any server or `CCTAP_*` setting of the
 * shell it runs in, so the run measures the embedded mode and the flags it passes, nothing else.
 */
export function cctapEnv(): NodeJS.ProcessEnv {
  const e = { ...process.env };
  for (const k of Object.keys(e))
    if (k === 'NATS_URL' || k === 'CLICKHOUSE_URL' || k === 'CLAUDE_CONFIG_DIR' || k.startsWith('CCTAP_')) delete e[k];
  return e;
}
