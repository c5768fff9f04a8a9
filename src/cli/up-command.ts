// `standin up <file>`: the environment of a scenario file, kept up until Ctrl-C, with the control
// API beside it so faults can be added while it runs.
import { defaultRegistry } from '../environments/default-kinds.ts';
import { environmentSpecOf, readScenarioFile, withFilePosition } from '../scenario/scenario-file.ts';
import { scenarioFileAccess } from '../scenario/scenario-runner.ts';
import { startStandin } from '../server-process.ts';
import { stderrLogger } from './logger.ts';
import { parseCommand } from './args.ts';
import { stopOnSignal } from './shutdown.ts';
import { parsePort } from './serve-command.ts';

export async function upCommand(args: string[]): Promise<void> {
  const { values, positionals } = parseCommand(args, {
    port: { type: 'string', default: '0' },
    verbose: { type: 'boolean', default: false },
  });
  const file = positionals[0];
  if (file === undefined || positionals.length > 1) throw new Error('usage: standin up <scenario.yaml>');
  const { scenario, source } = await readScenarioFile(file, defaultRegistry());
  const spec = environmentSpecOf(scenario);
  const server = await startStandin({ port: parsePort(values.port as string), log: stderrLogger(values.verbose === true) });
  let env;
  try {
    // The file's own twins may bind what it says; clients of the control API beside it may not.
    env = await server.manager.create(spec, scenarioFileAccess(file, scenario));
  } catch (error) {
    await server.close();
    throw withFilePosition(source, error);
  }
  const view = env.view();
  const out: string[] = [`Environment ${view.id} is up (seed ${view.seed}).`, ''];
  for (const [name, twin] of Object.entries(view.twins)) {
    out.push(`  ${name} (${twin.kind})`);
    for (const [key, value] of Object.entries(twin.endpoints)) out.push(`    ${key}: ${value}`);
  }
  out.push('', 'Env for the system under test:');
  for (const [key, value] of Object.entries(view.env)) out.push(`  export ${key}=${shellQuote(value)}`);
  out.push('', `Control API: ${server.url}  (token: ${env.revealToken()})`);
  out.push(`  curl -H "Authorization: Bearer ${env.revealToken()}" ${server.url}/environments/${view.id}/journal`);
  out.push(`Dashboard:   ${server.url}/ui#env=${view.id}  (paste the token above when it asks)`);
  out.push('', 'Ctrl-C to tear it down.', '');
  process.stdout.write(out.join('\n'));
  await stopOnSignal(
    async () => {
      process.stdout.write('Tearing down…\n');
      await server.close();
      process.stdout.write('Done.\n');
    },
    { describe: () => `${server.manager.list().length} environment(s) not yet destroyed` },
  );
}

function shellQuote(value: string): string {
  return /^[A-Za-z0-9_./:@,+=-]*$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
