import type { Migration } from './migration.js';
import { migration as m001 } from './001-events.js';
import { migration as m002 } from './002-usage.js';
import { migration as m003 } from './003-invalid-derived-alerts.js';
import { migration as m004 } from './004-views.js';
import { migration as m005 } from './005-session-analysis.js';
import { migration as m006 } from './006-central-prices.js';
import { migration as m007 } from './007-transcript-2026.js';
import { migration as m010 } from './010-usage-host-key.js';
import { migration as m011 } from './011-quota.js';
import { migration as m012 } from './012-retention-from-ingest.js';
import { migration as m013 } from './013-activity.js';
import { migration as m014 } from './014-guard.js';
import { migration as m015 } from './015-prompt-part-cleanup.js';

/** Every migration, in the order they are applied. */
export const MIGRATIONS: readonly Migration[] = [
  m001,
  m002,
  m003,
  m004,
  m005,
  m006,
  m007,
  m010,
  m011,
  m012,
  m013,
  m014,
  m015,
];
