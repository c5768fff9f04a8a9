// The child side of server-process.ts: announce what was started, reset on request, stop when the
// bench's end of stdin closes (which also happens if the bench dies, so no server outlives it).
import { createInterface } from 'node:readline';

export function serveUntilStdinEnds(info: object, handlers: { reset?: () => Promise<void>; stop: () => Promise<void> }): void {
  process.stdout.write(`${JSON.stringify(info)}\n`);
  const stop = async (): Promise<void> => {
    await handlers.stop();
    process.exit(0);
  };
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    if (line !== 'reset') return;
    void (handlers.reset?.() ?? Promise.resolve()).then(() => process.stdout.write('{"ok":true}\n'));
  });
  lines.on('close', () => void stop());
  process.on('SIGTERM', () => void stop());
}
