#!/usr/bin/env node
// The `standin` command. The sources are TypeScript, loaded through tsx so that
// `npx standin` works right after `npm install`, with no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
await main(process.argv.slice(2));
