/**
 * The files of the web page, served from the package itself (the machines it runs on may be offline: no
 * CDN). The page's sources are apps/cctap/web (index.html, page.css, and src/*.ts compiled by `tsc -b` into
 * web/dist); the charts are Chart.js's own browser build from node_modules. Only these names are served, each
 * read once and kept.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Asset {
  type: string;
  body: Buffer;
}

/** apps/cctap/web, from apps/cctap/dist/web/web-assets.js. */
const WEB_DIR = fileURLToPath(new URL('../../web/', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
};

/** URL path under /assets/ -> file on disk. */
function assetFiles(): Map<string, string> {
  const files = new Map<string, string>([
    ['page.css', join(WEB_DIR, 'page.css')],
    // The package's own browser build, beside its module entry (its exports do not list the file itself).
    ['chart.js', join(dirname(fileURLToPath(import.meta.resolve('chart.js'))), 'chart.umd.min.js')],
  ]);
  let compiled: string[] = [];
  try {
    compiled = readdirSync(join(WEB_DIR, 'dist')).filter((f) => f.endsWith('.js'));
  } catch {
    // not built: the page itself says so (see indexHtml)
  }
  for (const f of compiled) files.set(f, join(WEB_DIR, 'dist', f));
  return files;
}

export class WebAssets {
  private files: Map<string, string> | null = null;
  private readonly cache = new Map<string, Asset>();

  /** The page; throws when the package was not built (web/dist missing). */
  indexHtml(): Asset {
    return this.read('index.html', join(WEB_DIR, 'index.html'));
  }

  /** The asset named by the path after /assets/, or null for any other name. */
  asset(name: string): Asset | null {
    this.files ??= assetFiles();
    const path = this.files.get(name);
    return path ? this.read(name, path) : null;
  }

  private read(name: string, path: string): Asset {
    let a = this.cache.get(name);
    if (!a) {
      a = { type: TYPES[name.slice(name.lastIndexOf('.'))] ?? 'application/octet-stream', body: readFileSync(path) };
      this.cache.set(name, a);
    }
    return a;
  }
}
