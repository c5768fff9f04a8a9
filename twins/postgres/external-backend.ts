// `backend: {url}`: the front in front of the user's own PostgreSQL. The twin uses the URL's
// database as it is: init runs there at start; there is no template to restore, so reset refuses
// rather than pretend.
import pg from 'pg';
import { runInit, runSql, type PostgresBackend, type ProvisionSpec, type TwinDatabase } from './backend.ts';

export function externalBackend(url: string): PostgresBackend {
  return {
    async provision(spec: ProvisionSpec): Promise<TwinDatabase> {
      const parsed = new URL(url);
      const login = {
        user: decodeURIComponent(parsed.username || process.env.USER || 'postgres'),
        database: decodeURIComponent(parsed.pathname.slice(1) || parsed.username || 'postgres'),
        password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
      };
      const init = new pg.Client({ connectionString: url });
      await init.connect();
      try {
        await runInit(init, spec.init);
      } finally {
        await init.end();
      }
      const pool = new pg.Pool({ connectionString: url, max: 2, allowExitOnIdle: true });
      pool.on('error', () => {});
      return {
        target: { host: parsed.hostname || '127.0.0.1', port: Number(parsed.port || 5432) },
        login,
        directUrl: url,
        query: (sql, options) => runSql(pool, sql, options?.readOnly ?? false),
        async reset() {
          throw new Error('reset is not available with backend.url: the database is yours, Standin keeps no template of it');
        },
        async drop() {
          await pool.end().catch(() => undefined);
        },
      };
    },
  };
}
