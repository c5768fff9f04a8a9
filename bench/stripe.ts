// stripe twin: PaymentIntent create + confirm per second through the official stripe client, next
// to the same client against a bare node:http server answering canned PaymentIntents (the client's
// and HTTP's own cost: the floor any twin sits on). Each server runs in a process of its own and
// the client in the bench process, 16 operations in flight; the systems take turns in rounds, each
// twin turn right beside the canned turn it is compared with (support/rounds.ts inGroups), the twin
// reset before each of its turns. Figures: medians of per-round paired
// ratios, and each server's CPU per operation read from /proc/<pid>/stat.
//   npm run bench -- stripe [--long]      (or BENCH_ROUNDS / BENCH_SECONDS)
import { cpus } from 'node:os';
import { pathToFileURL } from 'node:url';
import Stripe from 'stripe';
import type { BenchRow } from './bench-row.ts';
import { clientRow, describeLoad, describePaired, inGroups, measured, medianOf, paired, roundPlan, type Sample } from './support/rounds.ts';
import { startServerProcess, type ServerProcess } from './support/server-process.ts';

const IN_FLIGHT = 16;
const GOAL = 1_000;
export type Server = ServerProcess<{ port: number; key: string }>;
type Mode = 'two-calls' | 'one-call';
/** Each twin figure is read against the canned answers' in the same round, measured right beside it. */
const PAIRS = [
  ['twin two-calls', 'canned two-calls'],
  ['twin one-call', 'canned one-call'],
] as const;
type System = (typeof PAIRS)[number][number];

/** Operations completed in `seconds`, IN_FLIGHT at a time; each must end in a succeeded intent. */
export async function drive(server: Server, mode: Mode, seconds: number): Promise<{ ops: number; seconds: number }> {
  const stripe = new Stripe(server.info.key, { host: '127.0.0.1', port: server.info.port, protocol: 'http', maxNetworkRetries: 0, telemetry: false });
  const params = { amount: 2000, currency: 'usd', payment_method: 'pm_card_visa' };
  const one = async (): Promise<string> => {
    if (mode === 'one-call') return (await stripe.paymentIntents.create({ ...params, confirm: true })).status;
    const intent = await stripe.paymentIntents.create(params);
    return (await stripe.paymentIntents.confirm(intent.id)).status;
  };
  let ops = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const lane = async (): Promise<void> => {
    while (performance.now() < deadline) {
      const status = await one();
      if (status !== 'succeeded') throw new Error(`payment intent ${status}, not succeeded`);
      ops++;
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
  return { ops, seconds: (performance.now() - started) / 1000 };
}

export default async function bench(): Promise<BenchRow[]> {
  const plan = roundPlan({ rounds: 16, seconds: 2 }, { rounds: 16, seconds: 5 });
  const script = new URL('./targets/stripe-server.ts', import.meta.url);
  let twin: Server | undefined;
  let canned: Server | undefined;
  try {
    twin = await startServerProcess(script, ['twin']);
    // The canned answer is a real succeeded PaymentIntent from the twin, so both send the same bytes.
    const sample = await fetch(`http://127.0.0.1:${twin.info.port}/v1/payment_intents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${twin.info.key}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'amount=2000&currency=usd&payment_method=pm_card_visa&confirm=true',
    }).then((r) => r.text());
    canned = await startServerProcess(script, ['canned', sample]);
    const servers = { twin, canned };
    const run = async (system: System, seconds: number): Promise<Sample> => {
      const [side, mode] = system.split(' ') as ['twin' | 'canned', Mode];
      const server = servers[side];
      await server.reset(); // the twin's state grows with every intent; every turn starts alike
      return measured(server, () => drive(server, mode, seconds));
    };
    for (const system of PAIRS.flat()) await run(system, 1); // warm-up, not counted
    const { samples, load } = await inGroups(PAIRS, plan.rounds, (system) => run(system, plan.seconds));

    const mode = `stripe-node in the bench process, each server in its own, ${IN_FLIGHT} in flight, ${plan.label}, ${describeLoad(load, cpus().length)}`;
    const rows: BenchRow[] = [];
    for (const [calls, what] of [
      ['two-calls', 'payment_intent create + confirm (2 calls)'],
      ['one-call', 'payment_intent create with confirm=true (1 call)'],
    ] as const) {
      const t = samples[`twin ${calls}`];
      const c = samples[`canned ${calls}`];
      const rate = paired(t, c, 'rate');
      const cpu = paired(t, c, 'cpuPerOp');
      rows.push(
        {
          name: `stripe twin: ${what} via stripe-node (${mode})`,
          unit: 'ops/s',
          standin: Math.round(medianOf(t, 'rate')),
          baseline: { name: 'same client vs bare node:http canned answers', value: Math.round(medianOf(c, 'rate')) },
          goal: `≥ ${GOAL.toLocaleString('en-US')}/s`,
          met: medianOf(t, 'rate') >= GOAL,
        },
        { name: `stripe twin ÷ canned answers, ${calls} ops/s, median of per-round ratios (${describePaired(rate)})`, unit: '×', standin: round2(rate.median) },
        {
          name: `stripe server CPU per operation, ${calls} (/proc/<pid>/stat; per-round ratio ${round2(cpu.median)}×, ${describePaired(cpu)})`,
          unit: 'µs',
          standin: Math.round(medianOf(t, 'cpuPerOp')),
          baseline: { name: 'canned answers', value: Math.round(medianOf(c, 'cpuPerOp')) },
          // Issue 18's goal is for create + confirm; the one-call figure is shown beside it.
          ...(calls === 'two-calls' ? { goal: '≤ 3× canned', met: cpu.median <= 3 } : {}),
        },
        clientRow(`stripe-node CPU per operation, ${calls} (bench process), against the twin`, t, c, 'against canned answers'),
      );
    }
    return rows;
  } finally {
    await twin?.stop();
    await canned?.stop();
  }
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const row of await bench()) console.log(JSON.stringify(row));
  process.exit(0);
}
