// `standin run <file | dir | glob>…`: runs scenarios, prints the report, writes JSON/JUnit, exits
// non-zero when any scenario failed.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { EnvironmentManager } from '../environments/environment-manager.ts';
import { defaultRegistry } from '../environments/default-kinds.ts';
import { formatScenario, formatSummary, toJUnit } from '../scenario/report.ts';
import { expandScenarioPaths } from '../scenario/scenario-files.ts';
import { runScenarioFiles } from '../scenario/run-scenarios.ts';
import { parseCommand } from './args.ts';
import { stderrLogger } from './logger.ts';

export async function runCommand(args: string[]): Promise<void> {
  const { values, positionals } = parseCommand(args, {
    concurrency: { type: 'string', default: '1' },
    seed: { type: 'string' },
    junit: { type: 'string' },
    json: { type: 'string' },
    verbose: { type: 'boolean', default: false },
  });
  if (positionals.length === 0) throw new Error('usage: standin run <file | dir | glob>… [--concurrency N] [--seed N] [--junit file] [--json file]');
  const concurrency = Number(values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error(`--concurrency: ${values.concurrency} is not a positive integer`);
  const seed = values.seed === undefined ? undefined : Number(values.seed);
  if (seed !== undefined && (!Number.isInteger(seed) || seed < 0 || seed > 4294967295)) throw new Error(`--seed: ${values.seed} is not a 32-bit unsigned integer`);

  const files = await expandScenarioPaths(positionals);
  if (files.length === 0) throw new Error(`no scenario files in ${positionals.join(' ')}`);
  const manager = new EnvironmentManager({ registry: defaultRegistry(), log: stderrLogger(values.verbose === true) });
  process.stdout.write(`Running ${files.length} scenario${files.length === 1 ? '' : 's'}${concurrency > 1 ? `, ${concurrency} at a time` : ''}…\n\n`);
  try {
    const summary = await runScenarioFiles(files, manager, {
      concurrency,
      seed,
      onDone: (report, done, total) => process.stdout.write(`[${done}/${total}] ${formatScenario(report)}\n\n`),
    });
    process.stdout.write(`${formatSummary(summary)}\n`);
    if (values.junit) await writeOut(values.junit as string, toJUnit(summary));
    if (values.json) await writeOut(values.json as string, `${JSON.stringify(summary, null, 2)}\n`);
    if (summary.failed + summary.errors > 0) process.exitCode = 1;
  } finally {
    await manager.close();
  }
}

async function writeOut(file: string, text: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, text);
}
