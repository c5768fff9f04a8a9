#!/usr/bin/env node
// The `standin` command. An installed package runs its compiled JavaScript (dist/, built at
// `npm pack`); a clone of the repository runs the TypeScript sources through tsx, so that `npx
// standin` works right after `npm install` with no build step. A clone that has built dist/ (for the
// start-up bench) keeps running its sources unless STANDIN_FROM=dist says otherwise: a stale build
// must never answer for the code being edited.
import { existsSync } from 'node:fs';

const sources = new URL('../src/cli/main.ts', import.meta.url);
const compiled = new URL('../dist/src/cli/main.js', import.meta.url);
const fromDist = existsSync(compiled) && (process.env.STANDIN_FROM === 'dist' || !existsSync(sources));

let main;
if (fromDist) {
  ({ main } = await import(compiled.href));
} else {
  // tsx is a devDependency: only the clone has it, and only the clone takes this path.
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import(sources.href));
}
await main(process.argv.slice(2));
