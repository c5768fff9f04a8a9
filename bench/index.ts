// `npm run bench [-- name…] [-- --write]`: runs every bench module (or those named), one after the
// other, and prints each figure beside its baseline with the ratio. `--write` also rewrites the
// figures section of BENCHMARKS.md.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { pathToFileURL } from 'node:url';
import type { Bench, BenchRow } from './bench-row.ts';

const args = process.argv.slice(2);
const write = args.includes('--write');
const only = args.filter((a) => !a.startsWith('--'));
const dir = new URL('./', import.meta.url);
const modules = readdirSync(dir)
  .filter((f) => f.endsWith('.ts') && f !== 'index.ts' && f !== 'bench-row.ts')
  .map((f) => f.replace(/\.ts$/, ''))
  .filter((name) => only.length === 0 || only.includes(name));

const sections = new Map<string, string>();
let failed = false;
for (const name of modules) {
  process.stdout.write(`\n## ${name}\n`);
  try {
    const bench = (await import(pathToFileURL(new URL(`${name}.ts`, dir).pathname).href)).default as Bench;
    const rows = await bench();
    const table = formatTable(rows);
    process.stdout.write(`${table}\n`);
    sections.set(name, `### ${name}\n\n${table}\n`);
  } catch (error) {
    failed = true;
    process.stdout.write(`failed: ${(error as Error).stack ?? error}\n`);
    sections.set(name, `### ${name}\n\nfailed: ${(error as Error).message}\n`);
  }
}

if (write) {
  const file = new URL('../BENCHMARKS.md', import.meta.url);
  const text = readFileSync(file, 'utf8');
  const marker = '<!-- figures -->';
  const head = text.includes(marker) ? text.slice(0, text.indexOf(marker) + marker.length) : `${text.trimEnd()}\n\n${marker}`;
  // Sections of modules not run this time are kept as they were.
  const kept = new Map<string, string>();
  for (const block of text.slice(head.length).split(/\n(?=### )/)) {
    const match = /^### (\S+)/.exec(block.trim());
    if (match?.[1]) kept.set(match[1], `${block.trim()}\n`);
  }
  for (const [name, section] of sections) kept.set(name, section);
  const ordered = [...kept.keys()].sort().map((name) => kept.get(name));
  const machine = `Measured ${new Date().toISOString().slice(0, 10)} on ${cpus().length} × ${cpus()[0]?.model.trim()}, Node ${process.version}; each section from its latest run.`;
  writeFileSync(file, `${head}\n\n${machine}\n\n${ordered.join('\n')}`);
}
process.exitCode = failed ? 1 : 0;
// Some benches leave keep-alive sockets in client libraries; the figures are out, so stop.
process.exit();

function formatTable(rows: BenchRow[]): string {
  const lines = ['| figure | Standin | baseline | ratio | goal | met |', '|---|---|---|---|---|---|'];
  for (const row of rows) {
    const ratio = row.baseline && row.baseline.value !== 0 ? `${(row.standin / row.baseline.value).toFixed(2)}×` : '';
    const baseline = row.baseline ? `${fmt(row.baseline.value)} ${row.unit} (${row.baseline.name})` : '—';
    const met = row.met === undefined ? '' : row.met ? 'yes' : '**no**';
    lines.push(`| ${row.name} | ${fmt(row.standin)} ${row.unit} | ${baseline} | ${ratio} | ${row.goal ?? ''} | ${met} |`);
  }
  return lines.join('\n');
}

function fmt(n: number): string {
  return Math.abs(n) >= 100 ? Math.round(n).toLocaleString('en-US') : String(Number(n.toPrecision(3)));
}
