import { createRequire } from 'node:module';

// Through the package's own name (its `./package.json` export), so that the sources (src/) and the
// compiled build (dist/src/) find the same file.
export const VERSION: string = (createRequire(import.meta.url)('standin/package.json') as { version: string }).version;
