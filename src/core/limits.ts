// Every limit Standin enforces, in one table: its default, the `standin serve` flag and env var that
// change it, and the error code (or protocol answer) a client gets past it. docs/limits.md lists the
// same table; test/limits.test.ts keeps the two in step. Standin runs beside code that is wrong by
// definition: nothing a client sends may grow memory, descriptors or work without bound.
import type { ErrorCode } from './errors.ts';

export interface LimitSpec {
  default: number;
  unit: 'count' | 'bytes' | 'ms';
  description: string;
  /** The API error code past the limit, or how a protocol client is told (e.g. a Kafka error code). */
  answer: ErrorCode | string;
}

export const LIMITS = {
  environments: {
    default: 256,
    unit: 'count',
    description: 'live environments on one server',
    answer: 'STANDIN_ERR_LIMIT_ENVIRONMENTS',
  },
  twinsPerEnvironment: {
    default: 32,
    unit: 'count',
    description: 'twins in one environment',
    answer: 'STANDIN_ERR_LIMIT_TWINS',
  },
  twinsPerServer: {
    default: 1024,
    unit: 'count',
    description: 'twins across all environments of one server (each holds a listening socket)',
    answer: 'STANDIN_ERR_LIMIT_TWINS',
  },
  rulesPerEnvironment: {
    default: 10_000,
    unit: 'count',
    description: 'fault rules in one environment',
    answer: 'STANDIN_ERR_LIMIT_RULES',
  },
  journalEvents: {
    default: 1_000_000,
    unit: 'count',
    description: 'largest journalCapacity an environment may ask for (events kept)',
    answer: 'STANDIN_ERR_LIMIT_JOURNAL',
  },
  journalBytes: {
    default: 64 * 1024 * 1024,
    unit: 'bytes',
    description: "an environment journal's estimated size; past it the oldest events are evicted and counted in `dropped`",
    answer: 'evicts the oldest events (dropped)',
  },
  streamBufferBytes: {
    default: 4 * 1024 * 1024,
    unit: 'bytes',
    description: 'unsent bytes a journal stream (SSE) subscriber may hold; past it the stream ends with an `overflow` event naming the last seq sent',
    answer: 'event: overflow, then the stream ends (resume with Last-Event-ID)',
  },
  apiBodyBytes: {
    default: 10 * 1024 * 1024,
    unit: 'bytes',
    description: 'a control API request body',
    answer: 'STANDIN_ERR_API_BODY_TOO_LARGE',
  },
  apiBodyDepth: {
    default: 64,
    unit: 'count',
    description: 'nesting depth of a JSON or YAML document sent to the control API',
    answer: 'STANDIN_ERR_API_VALIDATION',
  },
  yamlBytes: {
    default: 1024 * 1024,
    unit: 'bytes',
    description: 'a YAML document (a scenario) sent to the control API: YAML parses at about 1 MB/s, on the thread that serves every twin',
    answer: 'STANDIN_ERR_SCENARIO_INVALID',
  },
  yamlAliases: {
    default: 1_000,
    unit: 'count',
    description: 'anchors (&name) and aliases (*name) in one YAML document (a scenario); resolving them costs their count squared',
    answer: 'STANDIN_ERR_SCENARIO_INVALID',
  },
  yamlAliasNodes: {
    default: 100_000,
    unit: 'count',
    description: "nodes that a YAML document's aliases add when expanded (bounds a billion-laughs alias bomb)",
    answer: 'STANDIN_ERR_SCENARIO_INVALID',
  },
  exploreRuns: {
    default: 200,
    unit: 'count',
    description: 'runs one POST /scenarios/explore may make (its budget); each starts the system under test',
    answer: 'STANDIN_ERR_LIMIT_EXPLORE_RUNS',
  },
  idempotencyKeys: {
    default: 1_000,
    unit: 'count',
    description: 'Idempotency-Key values of POST /environments remembered; past it the oldest is forgotten',
    answer: 'a retry with a forgotten key creates a new environment',
  },
  idempotencyKeyTtlMs: {
    default: 24 * 3600 * 1000,
    unit: 'ms',
    description: 'how long an Idempotency-Key of POST /environments is remembered (and until its environment is destroyed)',
    answer: 'a retry after it creates a new environment',
  },
  patternLength: {
    default: 1000,
    unit: 'count',
    description: 'size of a user regular expression (RE2, linear time): characters as written, and instructions once compiled',
    answer: 'STANDIN_ERR_FAULT_INVALID / STANDIN_ERR_TWIN_CONFIG_INVALID / STANDIN_ERR_SCENARIO_INVALID',
  },
  connectionsPerTwin: {
    default: 1024,
    unit: 'count',
    description: "concurrent client connections to one twin's port; further ones are closed at once",
    answer: 'connection closed (journal: connection refused)',
  },
  headersTimeoutMs: {
    default: 60_000,
    unit: 'ms',
    description: "time an HTTP-speaking twin (http, stripe, oidc) waits for a request's headers",
    answer: '408 and close',
  },
  requestTimeoutMs: {
    default: 300_000,
    unit: 'ms',
    description: 'time an HTTP-speaking twin waits for a whole request',
    answer: '408 and close',
  },
  idleTimeoutMs: {
    default: 300_000,
    unit: 'ms',
    description: 'an idle keep-alive connection to an HTTP-speaking twin',
    answer: 'close',
  },
  httpRequestBodyBytes: {
    default: 32 * 1024 * 1024,
    unit: 'bytes',
    description: 'a request body an HTTP-speaking twin (http, stripe, oidc) reads whole, to match rules and stubs on it',
    answer: "413 in the twin's own error form",
  },
  postgresAuthTimeoutMs: {
    default: 60_000,
    unit: 'ms',
    description: 'time a postgres client has to finish startup and authentication (PostgreSQL authentication_timeout)',
    answer: 'connection closed with no message, as PostgreSQL does',
  },
  postgresTemplates: {
    default: 64,
    unit: 'count',
    description: 'template databases kept per process, one per distinct postgres `init`; past it the least recently used one no twin uses is dropped',
    answer: 'drops an idle template (the next twin with its init runs the init again)',
  },
  stubsPerTwin: {
    default: 10_000,
    unit: 'count',
    description: 'stubs in one http twin (config and add-stub together; each request is matched against them in turn)',
    answer: 'STANDIN_ERR_TWIN_CONFIG_INVALID / STANDIN_ERR_TWIN_ACTION_FAILED',
  },
  stripeObjects: {
    default: 250_000,
    unit: 'count',
    description: 'objects one stripe twin keeps (customers, payment methods, intents, charges, events…; a PaymentIntent confirmed with a test card makes about seven)',
    answer: 'POST answered 400 invalid_request_error, code standin_objects_limit, until a reset or deletes',
  },
  kafkaLogBytes: {
    default: 512 * 1024 * 1024,
    unit: 'bytes',
    description: "record batches held by one kafka twin's partition logs (topic retention evicts first)",
    answer: 'KAFKA_STORAGE_ERROR on Produce, as a broker with a full disk answers',
  },
  kafkaPartitionsPerTopic: {
    default: 1_000,
    unit: 'count',
    description: 'partitions in one Kafka topic',
    answer: 'INVALID_PARTITIONS',
  },
  kafkaPartitionsPerCluster: {
    default: 10_000,
    unit: 'count',
    description: 'partitions across all topics of one kafka twin',
    answer: 'POLICY_VIOLATION',
  },
  kafkaRequestBytes: {
    default: 16 * 1024 * 1024,
    unit: 'bytes',
    description: "one Kafka request frame (Kafka's socket.request.max.bytes; a producer's batches are far smaller: message.max.bytes is 1 MiB)",
    answer: 'connection closed, as Kafka closes it (journal: malformed)',
  },
  kafkaRequestElements: {
    default: 100_000,
    unit: 'count',
    description: 'array elements decoded from one Kafka request (topics, partitions, group ids…), so a small frame cannot expand into millions of objects; keep it above kafkaPartitionsPerCluster',
    answer: 'connection closed, as for a request Kafka cannot parse (journal: malformed)',
  },
  kafkaFetchBytes: {
    default: 55 * 1024 * 1024,
    unit: 'bytes',
    description: "record bytes in one Fetch answer, whatever max_bytes the client asks for (Kafka's fetch.max.bytes)",
    answer: 'the answer stops at it; the consumer fetches the rest next',
  },
  kafkaBatchBytes: {
    default: 64 * 1024 * 1024,
    unit: 'bytes',
    description: 'what one record batch may decompress to when the kafka twin opens it (record faults, inspect): a few KiB of gzip, lz4 or zstd can expand to GiB',
    answer: 'CORRUPT_MESSAGE at produce; shown as corrupt by inspect; passed through unfaulted at fetch',
  },
  kafkaFetchSessions: {
    default: 1_000,
    unit: 'count',
    description: "incremental fetch sessions (KIP-227) one kafka broker keeps (Kafka's max.incremental.fetch.session.cache.slots); when full, a new session takes the place of one unused for 2 minutes, or of a smaller one made 2 minutes before its last use, as Kafka evicts",
    answer: 'session id 0 in the Fetch answer (the consumer fetches in full); an evicted session gets FETCH_SESSION_ID_NOT_FOUND',
  },
  kafkaFetchSessionPartitions: {
    default: 100_000,
    unit: 'count',
    description: "partitions held across one kafka broker's fetch sessions (Kafka does not bound them); a session that would take them past it is not made, or is closed",
    answer: 'session id 0 in the Fetch answer (the consumer fetches in full)',
  },
  kafkaProducerIds: {
    default: 10_000,
    unit: 'count',
    description: 'producer ids and transactional ids one kafka twin keeps (with their per-partition sequence state); past it the least recently initialised idle one is forgotten, as Kafka expires idle producer ids',
    answer: 'UNKNOWN_PRODUCER_ID / INVALID_PRODUCER_ID_MAPPING for the forgotten producer',
  },
  kafkaGroupMembers: {
    default: 1_000,
    unit: 'count',
    description: "members of one consumer group, counting ids handed out with MEMBER_ID_REQUIRED and not yet joined (Kafka's group.max.size)",
    answer: 'GROUP_MAX_SIZE_REACHED',
  },
  kafkaGroups: {
    default: 1_000,
    unit: 'count',
    description: 'consumer groups one kafka twin keeps (joined or holding committed offsets; each may hold an offset per partition)',
    answer: 'COORDINATOR_NOT_AVAILABLE',
  },
} as const satisfies Record<string, LimitSpec>;

export type LimitName = keyof typeof LIMITS;
export type Limits = { readonly [K in LimitName]: number };

export const DEFAULT_LIMITS: Limits = Object.fromEntries(
  Object.entries(LIMITS).map(([name, spec]) => [name, spec.default]),
) as Limits;

/** `twinsPerEnvironment` → `--limit-twins-per-environment`; its env var is `STANDIN_LIMIT_TWINS_PER_ENVIRONMENT`. */
export function limitFlag(name: LimitName): string {
  return `--limit-${kebab(name)}`;
}

export function limitEnvVar(name: LimitName): string {
  return `STANDIN_LIMIT_${kebab(name).replace(/-/g, '_').toUpperCase()}`;
}

/**
 * The limits in force: defaults, then `STANDIN_LIMIT_*` env vars, then explicit overrides (flags, or
 * startServer's `limits`, named in errors by `overrideName`). A value that is not a positive integer,
 * or an override that is no limit, is an error naming where it came from.
 */
export function resolveLimits(
  overrides: Partial<Record<LimitName, number | string>> = {},
  env: NodeJS.ProcessEnv = process.env,
  overrideName: (name: LimitName) => string = limitFlag,
): Limits {
  for (const name of Object.keys(overrides)) {
    if (!Object.hasOwn(LIMITS, name)) throw new RangeError(`${overrideName(name as LimitName)} is not a limit; the limits are ${Object.keys(LIMITS).join(', ')}`);
  }
  const out: Record<string, number> = {};
  for (const name of Object.keys(LIMITS) as LimitName[]) {
    const fromFlag = overrides[name];
    const fromEnv = env[limitEnvVar(name)];
    const [raw, source] = fromFlag !== undefined ? [fromFlag, overrideName(name)] : fromEnv !== undefined ? [fromEnv, limitEnvVar(name)] : [LIMITS[name].default, 'default'];
    const value = typeof raw === 'number' ? raw : Number(raw);
    if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${source}: ${String(raw)} is not a positive integer`);
    out[name] = value;
  }
  return out as Limits;
}

function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** The Markdown table of docs/limits.md. */
export function limitsTable(): string {
  const rows = (Object.keys(LIMITS) as LimitName[]).map((name) => {
    const spec: LimitSpec = LIMITS[name];
    const value = spec.unit === 'bytes' ? `${spec.default / 1024 / 1024} MiB` : spec.unit === 'ms' ? `${spec.default / 1000} s` : String(spec.default);
    const answer = spec.answer.startsWith('STANDIN_ERR_') ? spec.answer.split(' / ').map((c) => `\`${c}\``).join(' / ') : spec.answer;
    return `| ${name} | ${spec.description.replace(/\|/g, '\\|')} | ${value} | \`${limitFlag(name)}\` / \`${limitEnvVar(name)}\` | ${answer} |`;
  });
  return ['| limit | what it bounds | default | flag / env var | past it |', '|---|---|---|---|---|', ...rows].join('\n');
}
