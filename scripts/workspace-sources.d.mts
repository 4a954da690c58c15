/** Types of workspace-sources.mjs (for the test that checks tsconfig.sources.json). */
export declare function sourceEntries(): Map<string, string>;
export declare function sourcesTsconfig(): Record<string, unknown>;
export declare const SOURCES_TSCONFIG: string;
