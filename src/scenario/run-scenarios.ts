// Runs many scenario files, `concurrency` at a time, each in its own environment.
import type { EnvironmentManager } from '../environments/environment-manager.ts';
import { summarize, type RunSummary } from './report.ts';
import { readScenarioFile } from './scenario-file.ts';
import { runScenario, scenarioFileAccess, type ScenarioReport } from './scenario-runner.ts';

export interface RunOptions {
  concurrency?: number;
  seed?: number;
  onDone?: (report: ScenarioReport, done: number, total: number) => void;
}

export async function runScenarioFiles(files: string[], manager: EnvironmentManager, options: RunOptions = {}): Promise<RunSummary> {
  const started = performance.now();
  const reports: ScenarioReport[] = new Array(files.length);
  let done = 0;
  // One queue the workers share: each takes the next file when it is free.
  const queue = files.entries();
  const worker = async (): Promise<void> => {
    for (const [index, file] of queue) {
      const report = await readScenarioFile(file, manager.registry).then(
        (parsed) => runScenario(parsed, manager, { seed: options.seed, access: scenarioFileAccess(file, parsed.scenario) }),
        (error: Error): ScenarioReport => ({
          file,
          name: file,
          seed: options.seed ?? 0,
          status: 'error',
          error: error.message,
          durationMs: 0,
          steps: [],
          expectations: [],
          replay: `npx standin run ${file}`,
        }),
      );
      reports[index] = report;
      options.onDone?.(report, ++done, files.length);
    }
  };
  const workers = Math.max(1, Math.min(options.concurrency ?? 1, files.length));
  await Promise.all(Array.from({ length: workers }, worker));
  return summarize(reports, performance.now() - started);
}
