// Runs the system under test: a shell command line or argv, with the twins' env vars, a timeout
// that kills the whole process group, and its output captured (bounded).
import { spawn } from 'node:child_process';

export interface SutResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
  durationMs: number;
}

export interface SutOptions {
  command: string | string[];
  cwd: string;
  env: Record<string, string>;
  timeoutMs: number;
  /** Called once the process has started (steps are timed from here). */
  onStart?: () => void;
}

const OUTPUT_CAP = 1024 * 1024;
const KILL_GRACE_MS = 2000;

export function runSut(options: SutOptions): Promise<SutResult> {
  const started = performance.now();
  const [file = '', ...args] = Array.isArray(options.command) ? options.command : ['/bin/sh', '-c', options.command];
  const child = spawn(file, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, so a timeout kills the command and everything it started.
    detached: true,
  });
  const out = collector();
  const err = collector();
  child.stdout.on('data', out.add);
  child.stderr.on('data', err.add);
  let timedOut = false;
  const kill = (signal: NodeJS.Signals): void => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, signal);
    } catch {
      // already gone
    }
  };
  const timer = setTimeout(() => {
    timedOut = true;
    kill('SIGTERM');
    setTimeout(() => kill('SIGKILL'), KILL_GRACE_MS).unref();
  }, options.timeoutMs);
  options.onStart?.();
  return new Promise((resolve) => {
    child.once('error', (error) => {
      clearTimeout(timer);
      resolve({ exitCode: null, signal: null, timedOut, stdout: out.text(), stderr: `${err.text()}${error.message}\n`, durationMs: performance.now() - started });
    });
    child.once('close', (exitCode, signal) => {
      clearTimeout(timer);
      resolve({ exitCode, signal, timedOut, stdout: out.text(), stderr: err.text(), durationMs: performance.now() - started });
    });
  });
}

function collector(): { add: (chunk: Buffer) => void; text: () => string } {
  const chunks: Buffer[] = [];
  let size = 0;
  let truncated = false;
  return {
    add: (chunk) => {
      if (size >= OUTPUT_CAP) {
        truncated = true;
        return;
      }
      chunks.push(chunk);
      size += chunk.length;
    },
    text: () => Buffer.concat(chunks).toString('utf8') + (truncated ? '\n[output truncated]\n' : ''),
  };
}
