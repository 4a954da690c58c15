// One linter for the whole workspace. Besides the recommended TypeScript rules it enforces the
// architectural boundaries of docs/architecture (DESIGN section 2): services talk to each other only
// through packages, the contract depends on zod alone, and the transcript normalizer does no I/O.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const SERVICES = ['collector', 'validator', 'analyzer', 'alerter', 'sink'];

/** Node built-ins that perform I/O or spawn work; the pure packages may not use them. */
const IO_MODULES = [
  'fs',
  'fs/promises',
  'net',
  'http',
  'https',
  'http2',
  'dgram',
  'child_process',
  'cluster',
  'worker_threads',
  'readline',
  'tls',
  'dns',
  'os',
  'process',
].flatMap((m) => [m, `node:${m}`]);

const serviceBoundaries = SERVICES.map((self) => ({
  files: [`services/${self}/**/*.ts`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: SERVICES.filter((s) => s !== self).flatMap((other) => [
          {
            group: [`@cctap/${other}`, `@cctap/${other}/*`],
            message: 'Services never import other services; share through packages/.',
          },
          {
            group: [`**/services/${other}/**`, `../../${other}/**`, `../${other}/**`],
            message: 'Services never import other services; share through packages/.',
          },
        ]),
      },
    ],
  },
}));

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'coverage/**', 'bench/out/**', '**/*.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        console: 'readonly',
        process: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        setImmediate: 'readonly',
        TextDecoder: 'readonly',
        TextEncoder: 'readonly',
        AbortController: 'readonly',
        AbortSignal: 'readonly',
        fetch: 'readonly',
        performance: 'readonly',
        queueMicrotask: 'readonly',
        structuredClone: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    // Promises: one nobody awaits loses its rejection (an unhandled rejection ends the process) and its ordering;
    // one passed where a callback returns void is never awaited by the caller. These rules need the types: one
    // TypeScript program over every source, `@cctap/…` resolved to sources (tsconfig.sources.json, written by
    // scripts/workspace-sources.mjs), so no build is needed first. The project service built one program per
    // package instead, each checking its references' sources again: 91 CPU-s against 59, 63 s against 42.
    files: ['packages/*/src/**/*.ts', 'services/*/src/**/*.ts', 'apps/*/src/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    languageOptions: { parserOptions: { project: './tsconfig.sources.json', tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
    },
  },
  ...serviceBoundaries,
  {
    // Libraries never depend on a service or an app: the composition roots are apps/, the services compose
    // packages, and a package stays usable by any of them.
    files: ['packages/kit/src/**/*.ts', 'packages/store/src/**/*.ts', 'packages/reports/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [...SERVICES.flatMap((s) => [`@cctap/${s}`, `@cctap/${s}/*`]), '@cctap/cli', '@cctap/cli/*'],
              message: 'packages/ never import services or apps.',
            },
          ],
        },
      ],
    },
  },
  {
    // The contract: zod and nothing else at runtime (node:crypto is used for deterministic ids).
    files: ['packages/events/src/**/*.ts'],
    ignores: ['packages/events/src/ajv/**', 'packages/events/src/**/*.test.ts', 'packages/events/src/scripts/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          // A regex: gitignore-style negations (`!./*`) do not match `./x.js` specifiers.
          patterns: [
            { regex: '^(?!zod$|zod/|node:crypto$|\\.\\.?/)', message: 'packages/events depends on zod only.' },
          ],
        },
      ],
    },
  },
  {
    // The normalizer is pure: bytes in, events out. No file system, network or process access.
    files: ['packages/transcript/src/**/*.ts'],
    ignores: ['packages/transcript/src/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: IO_MODULES.map((name) => ({ name, message: 'packages/transcript does no I/O.' })),
          patterns: [
            {
              group: ['@cctap/kit', '@cctap/kit/*', '@cctap/collector', '@cctap/sink', '@cctap/validator'],
              message: 'packages/transcript depends on the contract only.',
            },
            {
              group: ['@cctap/prices', '@cctap/prices/*'],
              message: 'The laptop carries no price book: cost is computed centrally (DESIGN section 7).',
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'packages/transcript does no I/O.' },
        { name: 'fetch', message: 'packages/transcript does no I/O.' },
      ],
    },
  },
  {
    // The environment is the application's to read, once (apps/cctap/src/environment.ts): a package or a
    // service gets the values it needs as options, so it behaves the same wherever it is composed.
    files: ['packages/*/src/**/*.ts', 'services/*/src/**/*.ts'],
    ignores: ['**/*.test.ts', 'packages/*/src/testing/**', 'services/*/src/testing/**'],
    rules: {
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'env',
          message: 'Read the environment in apps/cctap (src/environment.ts) and pass the value down as an option.',
        },
      ],
    },
  },
  {
    // The price book is pure data and functions; only load-book.ts reads the user's price file.
    files: ['packages/prices/src/**/*.ts'],
    ignores: ['packages/prices/src/**/*.test.ts', 'packages/prices/src/book/load-book.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: IO_MODULES.map((name) => ({
            name,
            message: 'packages/prices does no I/O outside book/load-book.ts.',
          })),
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'packages/prices does no I/O outside book/load-book.ts.' },
        { name: 'fetch', message: 'packages/prices does no I/O outside book/load-book.ts.' },
      ],
    },
  },
);
