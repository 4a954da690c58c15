/** What `cctap report` / `cctap sql` ask a running `cctap up` over loopback, and how it answers. */
import type { Silence } from '@cctap/alerter';
import type { StatuslineQuery } from '../statusline/figures.js';
import type { QuotaReport } from '../statusline/quota-report.js';

export const QUERY_PATH = '/v1/query';

export type QueryRequest =
  // Reports and `cctap sql`: one read-only query on up's store (loopback-store.ts), whatever the report
  // (`reusable`: QueryOptions.reusable of @cctap/store, set by the reports, never by `cctap sql`)
  | { op: 'query'; sql: string; params?: Record<string, unknown>; reusable?: boolean }
  // `cctap alerts` (alerts/alert-access.ts)
  | { op: 'alerts' }
  | { op: 'silences' }
  | { op: 'silence'; silence: Silence }
  | { op: 'alertTest'; receiver: string }
  // `cctap statusline`: the line's figures, and the quota readings of its input to record (statusline/)
  | { op: 'statusline'; query: StatuslineQuery; quota?: QuotaReport };

export type QueryResponse = { ok: true; result: unknown } | { ok: false; error: { name: string; message: string } };
