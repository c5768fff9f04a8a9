// Second step of `npm run build`: tsc has emitted dist/ (JavaScript and .d.ts, one file per
// source); this replaces that JavaScript with an esbuild bundle of the package's entry points, at
// the same paths, so that the bin, the exports map and the .d.ts files stay as they are. Why: start-up
// time. Node resolving and loading TypeBox's ESM build (249 files, 120–160 ms in CPU profiles) and our
// own ~280 files one by one, in every command. npm dependencies stay external (they install beside the
// package and keep their own versions), except @sinclair/typebox: inlining it removes that module
// graph. (Inlining the MCP SDK as well gained about 15 ms on `standin mcp`, within the noise: not
// done.) Code splitting keeps what is imported lazily (twin kinds, CLI commands) in chunks loaded only
// when asked for.
// Usage: node scripts/bundle-dist.mjs   (after tsc -p tsconfig.build.json)
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('../', import.meta.url));
const dist = join(root, 'dist');

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const bundled = new Set(['@sinclair/typebox']);
const external = Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies, ...pkg.optionalDependencies })
  .filter((name) => !bundled.has(name))
  .flatMap((name) => [name, `${name}/*`]);
// The package's own name: src/version.ts reads `standin/package.json` through self-reference.
external.push('standin', 'standin/*');

// The bin's target and every `exports` entry.
const entryPoints = [
  'dist/src/cli/main.js',
  ...Object.values(pkg.exports)
    .map((target) => (typeof target === 'string' ? target : target.default))
    .filter((target) => target.endsWith('.js'))
    .map((target) => target.replace(/^\.\//, '')),
].map((path) => join(root, path));

// Kept in memory (write: false): the outputs overwrite the very files esbuild reads.
const { outputFiles } = await build({
  entryPoints,
  outdir: dist,
  outbase: dist,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external,
  chunkNames: 'chunks/[name]-[hash]',
  logLevel: 'warning',
  write: false,
});

// tsc's per-file JavaScript goes; the .d.ts files stay; the bundle takes the entry points' places.
for (const file of walk(dist)) if (file.endsWith('.js')) rmSync(file);
for (const { path, contents } of outputFiles) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, contents);
}
// The dashboard's browser files go as they are: src/ui/ui-assets.ts serves them from dist/ui/public.
cpSync(join(root, 'src', 'ui', 'public'), join(dist, 'ui', 'public'), { recursive: true });

function* walk(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else yield path;
  }
}
