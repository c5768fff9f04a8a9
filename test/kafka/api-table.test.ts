// The API table in twins/kafka/README.md says what ApiVersions advertises: each row's twin column
// must be the range in apis/implemented.ts, and every API the registry answers must have a row.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { IMPLEMENTED } from '../../twins/kafka/apis/implemented.ts';
import { REGISTRY } from '../../twins/kafka/apis/registry.ts';

const readme = readFileSync(new URL('../../twins/kafka/README.md', import.meta.url), 'utf8');
const rows = [...readme.matchAll(/^\| (\d+) \| (\w+) \| ([^|]+) \| ([^|]+) \|$/gm)].map((m) => ({ key: Number(m[1]), name: m[2]!, twin: m[4]!.trim() }));

describe('kafka README API table', () => {
  it('lists every API the twin answers with the versions it advertises', () => {
    for (const api of IMPLEMENTED) {
      const row = rows.find((r) => r.name === api.name);
      const [lo, hi] = api.versions;
      expect(row?.twin, api.name).toBe(lo === hi ? String(lo) : `${lo}–${hi}`);
      expect(REGISTRY.get(row!.key)?.spec.name, api.name).toBe(api.name);
    }
  });

  it('says — for every API the twin does not answer', () => {
    const answered = new Set(IMPLEMENTED.map((a) => a.name as string));
    for (const row of rows.filter((r) => !answered.has(r.name))) expect(row.twin, row.name).toBe('—');
    expect(rows.length).toBeGreaterThanOrEqual(70);
  });
});
