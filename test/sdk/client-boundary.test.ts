// The SDK is a client: it may take types from src/core, environment-spec.ts, environment-view.ts and the API's response
// schemas (src/api/schemas.ts), and load nothing of the server, the environments or the twins at runtime — so it stays
// light and usable from any test.
import { readdir, readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';

const sdkDir = new URL('../../src/sdk/', import.meta.url);
const ALLOWED_TYPE_SOURCES = [/^\.\.\/core\/[\w/-]+\.ts$/, /^\.\.\/environments\/environment-(spec|view)\.ts$/, /^\.\.\/api\/schemas\.ts$/];

describe('src/sdk imports', () => {
  it('reach outside src/sdk only for types from src/core, environment-spec.ts, environment-view.ts and api/schemas.ts', async () => {
    const files = (await readdir(sdkDir)).filter((f) => f.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(3);
    const outside: string[] = [];
    for (const file of files) {
      const text = await readFile(new URL(file, sdkDir), 'utf8');
      for (const match of text.matchAll(/^(import|export)(\s+type)?\s[^;]*?from\s+'([^']+)'/gms)) {
        const [, , typeOnly, source] = match as unknown as [string, string, string | undefined, string];
        if (source.startsWith('./') || source === '@sinclair/typebox') continue;
        const allowed = typeOnly !== undefined && ALLOWED_TYPE_SOURCES.some((pattern) => pattern.test(source));
        if (!allowed) outside.push(`${file}: ${match[0].split('\n')[0]}`);
      }
    }
    expect(outside).toEqual([]);
  });
});
