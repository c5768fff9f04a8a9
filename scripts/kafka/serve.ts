// Runs one kafka twin in its own process, outside any environment — for the benchmark (which
// measures the twin's CPU apart from the client's) and for trying clients by hand:
//   node bin/run-ts.js scripts/kafka/serve.ts '{"brokers":3,"topics":[{"name":"t","partitions":3}]}'
// Prints one JSON line {bootstrap}; then answers each stdin line `cpu` with {user, system} in µs
// and `journal` with the journal's events; exits on SIGTERM or stdin end.
import { createInterface } from 'node:readline';
import { kafkaTwin } from '../../twins/kafka/index.ts';
import { startTwin } from '../../test/support/twin-harness.ts';

const config = JSON.parse(process.argv[2] ?? '{}') as Record<string, unknown>;
const h = await startTwin(kafkaTwin, config, { seed: Number(process.env.SEED ?? 1), journalCapacity: 1_000_000 });
process.stdout.write(`${JSON.stringify({ bootstrap: h.twin.endpoints.bootstrap })}\n`);

const stop = async (): Promise<void> => {
  await h.stop();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  if (line === 'cpu') process.stdout.write(`${JSON.stringify(process.cpuUsage())}\n`);
  else if (line === 'journal') process.stdout.write(`${JSON.stringify(h.journal.query({}).events)}\n`);
});
lines.on('close', () => void stop());
