/** Where the embedded engine keeps its data when no --data DIR or CCTAP_DATA says otherwise. */
import { homedir } from 'node:os';
import { join } from 'node:path';

export const DEFAULT_DATA_DIR = join(homedir(), '.cctap', 'data');
