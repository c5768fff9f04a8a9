// Rewrites the table in docs/limits.md from src/core/limits.ts (test/limits.test.ts checks them).
import { readFileSync, writeFileSync } from 'node:fs';
import { limitsTable } from '../src/core/limits.ts';

const file = new URL('../docs/limits.md', import.meta.url);
const head = readFileSync(file, 'utf8').split(limitsTable().split('\n')[0]!)[0];
writeFileSync(file, `${head}${limitsTable()}\n`);
