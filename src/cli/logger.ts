// The CLI's logger: one line per message on stderr, `--verbose` for debug.
import type { Logger } from '../core/index.ts';

export function stderrLogger(verbose: boolean): Logger {
  const write = (level: string) => (message: string, data?: Record<string, unknown>) => {
    const suffix = data && Object.keys(data).length > 0 ? ` ${JSON.stringify(data)}` : '';
    process.stderr.write(`[standin] ${level} ${message}${suffix}\n`);
  };
  return {
    debug: verbose ? write('debug') : () => {},
    info: verbose ? write('info') : () => {},
    warn: write('warn'),
    error: write('error'),
  };
}
