// The dashboard's files, read once into memory when the server starts. They are plain browser
// files (HTML, CSS, JavaScript modules): no build step, so the sources under src/ui/public/ are what
// a browser runs, and `npm run build` copies them to dist/ui/public/ as they are.
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';

export interface UiAsset {
  body: Buffer;
  contentType: string;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/**
 * The folder the files are served from. Found through the package's own name (as src/version.ts
 * finds package.json), because the bundled dist/ puts this code in a chunk whose own location says
 * nothing about the package's layout. Run from sources (tsx, vitest) it is src/ui/public; from the
 * built package, dist/ui/public.
 */
export function uiAssetsDir(): string {
  const root = dirname(createRequire(import.meta.url).resolve('standin/package.json'));
  return import.meta.url.endsWith('.ts') ? join(root, 'src', 'ui', 'public') : join(root, 'dist', 'ui', 'public');
}

/** File name → its bytes and type. Only these names are ever served: a request cannot name a path. */
export function loadUiAssets(dir: string = uiAssetsDir()): Map<string, UiAsset> {
  const assets = new Map<string, UiAsset>();
  for (const name of readdirSync(dir)) {
    const contentType = CONTENT_TYPES[extname(name)];
    if (contentType !== undefined) assets.set(name, { body: readFileSync(join(dir, name)), contentType });
  }
  return assets;
}
