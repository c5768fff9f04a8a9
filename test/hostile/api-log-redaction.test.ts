// Issue 11 item 4: a secret a client puts in the query string must not reach `standin serve
// --verbose`'s request log, nor must the Authorization header. Runs the real command and reads
// everything it printed.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { redactUrl } from '../../src/api/http-log.ts';

const standin = fileURLToPath(new URL('../../bin/standin.js', import.meta.url));

describe('--verbose request log', () => {
  it('redacts secrets in query strings and never prints the bearer token', async () => {
    const child = spawn(process.execPath, [standin, 'serve', '--port', '0', '--verbose'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const onData = (): void => {
          const match = /listening on (http:\/\/\S+)/.exec(output);
          if (match) resolve(match[1]!.replace(/\s*\(.*$/, ''));
        };
        child.stdout.on('data', onData);
        child.once('exit', (code) => reject(new Error(`standin serve exited (${code}): ${output}`)));
      });
      const secrets = ['s3cr3t-query-token', 's3cr3t-access', 's3cr3t-api-key', 's3cr3t-client', 's3cr3t-bearer'];
      const query = `?token=${secrets[0]}&access_token=${secrets[1]}&apiKey=${secrets[2]}&client_secret=${secrets[3]}&twin=visible-value`;
      await fetch(`${url}/health${query}`, { headers: { authorization: `Bearer ${secrets[4]}` } });
      await fetch(`${url}/environments/env_x/journal${query}`, { headers: { authorization: `Bearer ${secrets[4]}` } });
      await fetch(`${url}/no/such/route${query}`);
      // The log line of the last request is written before the process is asked to stop.
      await fetch(`${url}/health`);
      child.kill('SIGTERM');
      await once(child, 'exit');

      expect(output).toContain('/health?token=[REDACTED]');
      expect(output).toContain('twin=visible-value');
      for (const secret of secrets) expect(output).not.toContain(secret);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it('redacts any parameter named like a credential, and keeps the rest of the URL as sent', () => {
    expect(redactUrl('/a?Token=x&key=y&x-api-key=z&password=p&session_id=s&q=1&q=2')).toBe(
      '/a?Token=[REDACTED]&key=[REDACTED]&x-api-key=[REDACTED]&password=[REDACTED]&session_id=[REDACTED]&q=1&q=2',
    );
    expect(redactUrl('/a?%74oken=x&flag')).toBe('/a?%74oken=[REDACTED]&flag');
    expect(redactUrl('/plain/path')).toBe('/plain/path');
  });
});
