// The API table in twins/kafka/README.md says what ApiVersions advertises: each row's twin column
// must be the range in apis/implemented.ts, and every API the registry answers must have a row.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { IMPLEMENTED } from '../../twins/kafka/apis/implemented.ts';
import { REGISTRY } from '../../twins/kafka/apis/registry.ts';
import { KAFKA_VERSIONS, versionTable } from '../../twins/kafka/kafka-version.ts';

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

describe('kafka README kafkaVersion table', () => {
  // `| Produce | 0–9 | 0–9 | 3–9, listed from 0 … |` or `| A / B | 0–7 / 0–4 | … |`: the versions served.
  const section = readme.slice(readme.indexOf('### `kafkaVersion`'), readme.indexOf('**Message formats v0 and v1.**'));
  const served = new Map<string, string[]>();
  for (const m of section.matchAll(/^\| ([A-Za-z][\w /]+?) \| ([^|]+) \| ([^|]+) \| ([^|]+) \|$/gm)) {
    const names = m[1]!.split(' / ');
    const columns = [m[2]!, m[3]!, m[4]!].map((c) => c.split(' / ').map((part) => /^\s*(\d+(?:–\d+)?|—)/.exec(part)?.[1] ?? '?'));
    names.forEach((name, i) => served.set(name, columns.map((c) => (c.length === 1 ? c[0]! : (c[i] ?? '?')))));
  }
  const tables = KAFKA_VERSIONS.map((v) => versionTable(v, REGISTRY));
  const range = (r: readonly [number, number] | undefined): string => (r ? (r[0] === r[1] ? String(r[0]) : `${r[0]}–${r[1]}`) : '—');

  it('says which versions each release serves, for every API whose versions differ between them', () => {
    for (const [key, h] of REGISTRY) {
      const expected = tables.map((t) => range(t.served(key)));
      if (new Set(expected).size > 1) expect(served.get(h.spec.name), h.spec.name).toEqual(expected);
      else if (served.has(h.spec.name)) expect(served.get(h.spec.name), h.spec.name).toEqual(expected);
    }
  });
});
