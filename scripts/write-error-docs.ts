// Rewrites the table in docs/errors.md from src/core/errors.ts (test/errors.test.ts checks them).
import { readFileSync, writeFileSync } from 'node:fs';
import { ERRORS } from '../src/core/errors.ts';

const file = new URL('../docs/errors.md', import.meta.url);
const head = readFileSync(file, 'utf8').split('| code | status | message template |')[0];
const rows = Object.entries(ERRORS).map(([code, e]) => `| \`${code}\` | ${e.status} | ${e.message.replace(/\|/g, '\\|')} |`);
writeFileSync(file, `${head}| code | status | message template |\n|---|---|---|\n${rows.join('\n')}\n`);
