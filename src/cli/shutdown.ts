// How `standin serve` stops: gracefully on the first SIGINT or SIGTERM, at once on a second one,
// and in any case within a grace period. A server left behind holds its ports, and in CI a core.
import { untilSignal } from './args.ts';

/**
 * How long a graceful stop may take before the process exits anyway (the promise is 5 s in all);
 * STANDIN_STOP_GRACE_MS changes it.
 */
export const STOP_GRACE_MS = 4_000;

/** The shell's convention: 128 + the signal's number. */
const SIGNAL_EXIT_CODES: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 130, SIGTERM: 143 };

export interface StopOptions {
  graceMs?: number;
  /** What is still running, for the line written when the stop is cut short (e.g. environments). */
  describe?: () => string;
}

/**
 * Waits for SIGINT/SIGTERM, runs `stop`, then exits the process. A second signal, or a stop still
 * running after the grace period, exits at once with a line on stderr naming what was still open.
 */
export async function stopOnSignal(stop: () => Promise<void>, options: StopOptions = {}): Promise<never> {
  await untilSignal();
  const graceMs = options.graceMs ?? (Number(process.env.STANDIN_STOP_GRACE_MS) || STOP_GRACE_MS);
  let timer: NodeJS.Timeout | undefined;
  const giveUp = (why: string, code: number): never => {
    clearTimeout(timer);
    process.stderr.write(`standin: ${why}, exiting anyway; still open: ${stillOpen(options.describe)}\n`);
    process.exit(code);
  };
  const again = (signal: NodeJS.Signals): void => void giveUp(`${signal} again while stopping`, SIGNAL_EXIT_CODES[signal] ?? 1);
  process.once('SIGINT', again);
  process.once('SIGTERM', again);
  timer = setTimeout(() => giveUp(`not stopped after ${graceMs} ms`, 1), graceMs);
  try {
    await stop();
  } catch (error) {
    process.stderr.write(`standin: stopping failed: ${(error as Error).message}\n`);
    process.exitCode = 1;
  }
  clearTimeout(timer);
  // Everything Standin owns is closed. Whatever a library may still hold (an unref'd socket, a
  // handle Node cannot close) must not keep a stopped server alive, nor spin in Node's cleanup.
  process.exit();
}

/** E.g. `2 environment(s) not yet destroyed; handles: 3 TCPSocketWrap, 1 Timeout, 2 PipeWrap` (stdio included). */
function stillOpen(describe: (() => string) | undefined): string {
  const counts = new Map<string, number>();
  for (const resource of process.getActiveResourcesInfo()) counts.set(resource, (counts.get(resource) ?? 0) + 1);
  const handles = [...counts].map(([name, n]) => `${n} ${name}`).join(', ');
  return [describe?.(), `handles: ${handles || 'none'}`].filter(Boolean).join('; ');
}
