// A journal with what may differ between two runs of one seed taken out: times and durations,
// ports, and the secrets docs/architecture.md ("Same seed, same run") lists as drawn from crypto.
// Everything else is kept, so two normal forms differ exactly where a run did something else.
import type { JournalEvent } from '../../src/core/index.ts';

export interface NormalForm {
  /** Per twin, its events in order: which twin answers first is up to the client's concurrency. */
  twins: Record<string, unknown[]>;
  /** Per twin, its connection closes, sorted: a client closing its sockets at exit picks no order. */
  closes: Record<string, unknown[]>;
}

/** Fields whose value is a time, a duration or a port. */
const VARYING: Record<string, string> = { durationMs: '<ms>', remotePort: '<port>', port: '<port>', kid: '<signing key id>' };

const REWRITES: Array<[RegExp, string]> = [
  [/(127\.0\.0\.1|localhost):\d+/g, '$1:<port>'],
  // The twin's default password: a secret.
  [/(postgres(?:ql)?:\/\/[^:/@]+:)[^@]+@/g, '$1<password>@'],
  // oidc-provider's interaction uid, which continues a login: a secret.
  [/\/(interaction|auth)\/[A-Za-z0-9_-]{20,}/g, '/$1/<interaction uid>'],
];

function normalise(value: unknown, key?: string): unknown {
  if (key !== undefined && key in VARYING) return VARYING[key];
  if (typeof value === 'string') return REWRITES.reduce((text, [pattern, to]) => text.replace(pattern, to), value);
  if (Array.isArray(value)) return value.map((item) => normalise(item));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalise(v, k)]));
  }
  return value;
}

/** `skip`: twins left out (their journal follows a clock, see the test). */
export function normalForm(events: readonly JournalEvent[], skip: ReadonlySet<string> = new Set()): NormalForm {
  const form: NormalForm = { twins: {}, closes: {} };
  for (const { seq: _seq, time: _time, ...event } of events) {
    if (skip.has(event.twin)) continue;
    const closing = event.type === 'connection' && event.data?.event === 'close';
    const into = closing ? form.closes : form.twins;
    (into[event.twin] ??= []).push(normalise(event));
  }
  for (const list of Object.values(form.closes)) list.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  return form;
}
