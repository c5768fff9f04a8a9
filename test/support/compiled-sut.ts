// A scenario's TypeScript system under test, compiled once for a test file. Started as
// `node --import tsx <entry>.ts`, every run pays tsx's start: about 1.3 s of CPU, several seconds of
// wall time on a loaded machine, more than the run's own work. The same source bundled by esbuild
// (what tsx compiles it with) starts in a fifth of that. Only the command changes: same code, same
// arguments, same cwd and env.
import { createHash } from 'node:crypto';
import { basename, join, resolve } from 'node:path';
import { build } from 'esbuild';
import { scenarioRoot, type ScenarioFile } from '../../src/scenario/scenario-file.ts';

const TSX_COMMAND = /^node --import tsx (\S+\.ts)(\s.*)?$/;
/** The bundle is ESM; the CommonJS packages it inlines (pg, kafkajs) call require. */
const REQUIRE_BANNER = "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);";

const bundles = new Map<string, Promise<string>>();

/** The file with its `run.command` starting the bundled entry point instead of tsx (bundled once per entry and folder). */
export async function withCompiledSut(file: ScenarioFile, outDir: string): Promise<ScenarioFile> {
  const run = file.scenario.run;
  const match = typeof run?.command === 'string' ? run.command.match(TSX_COMMAND) : null;
  if (run === undefined || !match) throw new Error(`${file.source.file}: run.command is not \`node --import tsx <file>.ts …\`: ${String(run?.command)}`);
  const entry = resolve(scenarioRoot(file), run.cwd ?? '.', match[1] as string);
  // Two entry points may share a name (sut.ts): the path's hash keeps their bundles apart.
  const outfile = join(outDir, `${basename(entry, '.ts')}-${createHash('sha256').update(entry).digest('hex').slice(0, 8)}.mjs`);
  let bundled = bundles.get(outfile);
  if (bundled === undefined) {
    bundled = build({ entryPoints: [entry], outfile, bundle: true, platform: 'node', format: 'esm', banner: { js: REQUIRE_BANNER }, logLevel: 'error' }).then(() => outfile);
    bundles.set(outfile, bundled);
  }
  return { ...file, scenario: { ...file.scenario, run: { ...run, command: `node ${await bundled}${match[2] ?? ''}` } } };
}
