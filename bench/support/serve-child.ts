// The child side of server-process.ts: announce what was started, reset or run a named command on
// request, stop when the bench's end of stdin closes (which also happens if the bench dies, so no
// server outlives it).
import { createInterface } from 'node:readline';

export interface ChildHandlers {
  reset?: () => Promise<void>;
  /** Other stdin lines a bench may send, each answered `{"ok":true}` once done (e.g. a rule on or off). */
  commands?: Readonly<Record<string, () => unknown>>;
  stop: () => Promise<void>;
}

export function serveUntilStdinEnds(info: object, handlers: ChildHandlers): void {
  process.stdout.write(`${JSON.stringify(info)}\n`);
  const stop = async (): Promise<void> => {
    await handlers.stop();
    process.exit(0);
  };
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    const run = line === 'reset' ? handlers.reset : handlers.commands?.[line];
    if (run === undefined && line !== 'reset') return;
    void Promise.resolve(run?.()).then(() => process.stdout.write('{"ok":true}\n'));
  });
  lines.on('close', () => void stop());
  process.on('SIGTERM', () => void stop());
}
