/**
 * Where each `@cctap/…` import of the workspace lives as TypeScript source: every export of every workspace
 * package, `./dist/<x>.js` → `<package>/src/<x>.ts`. The one rule behind the tests' aliases (vitest.config.ts:
 * tests run on the sources, no build needed) and the paths of tsconfig.sources.json (eslint's one program over
 * all sources), so neither can drift from the packages' exports. `node scripts/workspace-sources.mjs --write`
 * rewrites tsconfig.sources.json; test/workspace/sources-paths.test.ts fails when it is stale.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Import specifier → source path relative to the repository root, more specific specifiers first (a prefix
 * alias such as vite's would otherwise catch `@cctap/events/ajv` as `@cctap/events`).
 * @returns {Map<string, string>}
 */
export function sourceEntries() {
  const workspaces = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).workspaces;
  const out = [];
  for (const ws of workspaces) {
    const pkg = JSON.parse(readFileSync(join(ROOT, ws, 'package.json'), 'utf8'));
    for (const [sub, target] of Object.entries(pkg.exports ?? {})) {
      const file = typeof target === 'string' ? target : target.default;
      if (!file.startsWith('./dist/') || !file.endsWith('.js'))
        throw new Error(`${ws}/package.json: export ${sub} is not a ./dist/*.js file (${file})`);
      const spec = sub === '.' ? pkg.name : `${pkg.name}/${sub.slice(2)}`;
      out.push([spec, `${ws}/src/${file.slice('./dist/'.length, -'.js'.length)}.ts`]);
    }
  }
  out.sort(([a], [b]) => b.length - a.length || a.localeCompare(b));
  return new Map(out);
}

/** tsconfig.sources.json as it should be: every source of the workspace, `@cctap/…` resolved to sources. */
export function sourcesTsconfig() {
  const paths = Object.fromEntries([...sourceEntries()].map(([spec, file]) => [spec, [`./${file}`]]));
  return {
    extends: './tsconfig.base.json',
    compilerOptions: {
      noEmit: true,
      composite: false,
      incremental: false,
      declaration: false,
      declarationMap: false,
      sourceMap: false,
      paths,
    },
    include: [
      'packages/*/src/**/*.ts',
      'services/*/src/**/*.ts',
      'apps/*/src/**/*.ts',
      'apps/*/src/**/*.json',
      'test/**/*.ts',
      'bench/**/*.ts',
    ],
    exclude: ['**/dist/**', 'bench/out/**', 'test/fixtures/**'],
  };
}

export const SOURCES_TSCONFIG = join(ROOT, 'tsconfig.sources.json');

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv.includes('--write')) {
  writeFileSync(SOURCES_TSCONFIG, `${JSON.stringify(sourcesTsconfig(), null, 2)}\n`);
  console.log(`wrote ${SOURCES_TSCONFIG}`);
}
