import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const bin = new URL('../bin/standin.js', import.meta.url).pathname;

function standin(args: string[]) {
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return {
    child,
    exited,
    out: () => stdout,
    err: () => stderr,
    waitFor: async (pattern: RegExp, timeoutMs = 20_000): Promise<RegExpMatchArray> => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const match = stdout.match(pattern);
        if (match) return match;
        if (Date.now() > deadline) throw new Error(`no ${pattern} in output:\n${stdout}\n${stderr}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
}

describe('standin command', () => {
  it('--help lists the commands', async () => {
    const run = standin(['--help']);
    expect(await run.exited).toBe(0);
    expect(run.out()).toMatch(/standin serve/);
    expect(run.out()).toMatch(/standin up/);
    expect(run.out()).toMatch(/standin run/);
  });

  it('<command> --help prints that command\'s usage, and runs nothing', async () => {
    for (const [command, flag] of [['serve', '--port'], ['up', 'setup:'], ['run', '--concurrency'], ['mcp', '--url']] as const) {
      const run = standin([command, '--help']);
      expect(await run.exited).toBe(0);
      expect(run.out()).toContain(`standin ${command} `);
      expect(run.out()).toContain(flag);
      expect(run.out()).not.toMatch(/listening|standin: /);
    }
    const up = standin(['up', 'scenario.yaml', '-h']);
    expect(await up.exited).toBe(0);
    expect(up.out()).toMatch(/^Usage:\n  standin up/);
  });

  it('serve prints its URL, answers /health and stops cleanly on SIGINT', async () => {
    const run = standin(['serve', '--port', '0']);
    const [, url] = await run.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
    const health = (await fetch(`${url}/health`).then((r) => r.json())) as { status: string };
    expect(health.status).toBe('ok');
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(0);
  });

  it('refuses to listen beyond loopback without an admin token', async () => {
    const run = standin(['serve', '--port', '0', '--host', '0.0.0.0']);
    expect(await run.exited).not.toBe(0);
    expect(run.err()).toMatch(/admin token/);
  });

  it('an unknown command or flag is an error with usage', async () => {
    const run = standin(['serve', '--prot', '1']);
    expect(await run.exited).not.toBe(0);
    expect(run.err()).toMatch(/prot/);
    const unknown = standin(['launch']);
    expect(await unknown.exited).toBe(2);
    expect(unknown.err()).toMatch(/unknown command launch/);
  });

  it('up starts a file’s environment, prints endpoints and env, and tears it down on Ctrl-C', async () => {
    const run = standin(['up', new URL('./scenario/fixtures/up-env.yaml', import.meta.url).pathname]);
    const [, url] = await run.waitFor(/url: (http:\/\/127\.0\.0\.1:\d+)/);
    expect(run.out()).toMatch(/export HTTP_WEATHER_URL=http:\/\/127\.0\.0\.1:\d+/);
    const [, api, token] = await run.waitFor(/Control API: (http:\S+)\s+\(token: (\S+)\)/);
    const forecast = (await fetch(`${url}/forecast/oslo`).then((r) => r.json())) as { city: string };
    expect(forecast.city).toBe('oslo');
    const [, id] = run.out().match(/Environment (env_\S+) is up/) ?? [];
    const journal = (await fetch(`${api}/environments/${id}/journal?type=request`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.json())) as {
      events: unknown[];
    };
    expect(journal.events).toHaveLength(1);
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(0);
    expect(run.out()).toMatch(/Done\./);
    await expect(fetch(`${url}/forecast/oslo`)).rejects.toThrow();
  });

  it('run reports a bad scenario file with its position and exits 1', async () => {
    const run = standin(['run', new URL('./scenario/fixtures/bad-scenario.yaml', import.meta.url).pathname]);
    expect(await run.exited).toBe(1);
    expect(run.out()).toMatch(/bad-scenario\.yaml:4:5: expect\[0\]\.exitcode: unknown expectation/);
    expect(run.out()).toMatch(/0 passed, 0 failed, 1 errors/);
  });
});
