// The postgres twin's config, as the API and scenario files validate it.
import { Type, type Static } from '@sinclair/typebox';
import { BaseTwinConfigFields } from '../../src/core/index.ts';

const InitItem = Type.Union([
  Type.String({ description: 'inline SQL, or a path to a .sql file (relative to the scenario file, else the working directory)' }),
  Type.Object({ file: Type.String() }, { additionalProperties: false }),
  Type.Object({ sql: Type.String() }, { additionalProperties: false }),
]);

const DatabaseItem = Type.Union([
  Type.String({ minLength: 1, maxLength: 63, description: 'a database name (empty, no init)' }),
  Type.Object(
    {
      name: Type.String({ minLength: 1, maxLength: 63 }),
      init: Type.Optional(Type.Array(InitItem, { description: 'run in order in this database at start; reset restores the state they leave' })),
    },
    { additionalProperties: false },
  ),
]);

export const PostgresConfigSchema = Type.Object(
  {
    ...BaseTwinConfigFields,
    init: Type.Optional(Type.Array(InitItem, { description: 'run in order at start; reset restores the state they leave' })),
    database: Type.Optional(Type.String({ minLength: 1, maxLength: 63, description: 'database name clients ask for (default app)' })),
    databases: Type.Optional(
      Type.Array(DatabaseItem, {
        description: 'more databases a client may name, each with its own init (postgres and template1 are always there)',
      }),
    ),
    superuser: Type.Optional(
      Type.Boolean({
        description: "give the user a superuser on a PostgreSQL server of the twin's own (CREATE DATABASE, CREATE ROLE, any extension, session_replication_role); default false: a database on the shared server",
      }),
    ),
    user: Type.Optional(Type.String({ minLength: 1, description: 'user name clients log in as (default app)' })),
    password: Type.Optional(Type.String({ description: 'default: 20 random hex digits (a secret: not drawn from the seed)' })),
    auth: Type.Optional(Type.Union([Type.Literal('scram-sha-256'), Type.Literal('trust')], { description: 'default scram-sha-256' })),
    tls: Type.Optional(
      Type.Union([Type.Literal('off'), Type.Literal('on'), Type.Literal('required')], {
        description: "SSLRequest: off answers N (default); on accepts TLS with a self-signed certificate (endpoint sslRootCert); required also refuses unencrypted sessions (FATAL 28000), and the url asks for TLS",
      }),
    ),
    maxConnections: Type.Optional(Type.Integer({ minimum: 1, description: 'concurrent sessions; the one past it gets FATAL 53300 (default 100, PostgreSQL\'s max_connections)' })),
    envVar: Type.Optional(Type.String({ minLength: 1, description: 'name of the URL env var (default DATABASE_URL)' })),
    backend: Type.Optional(
      Type.Object(
        { url: Type.String({ pattern: '^postgres(ql)?://', description: 'an existing PostgreSQL to put the front in front of' }) },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export type PostgresConfig = Static<typeof PostgresConfigSchema>;
