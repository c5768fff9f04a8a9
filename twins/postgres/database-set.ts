// Which database a client's startup packet may name, and where each goes upstream.
//
// On the shared server a twin's databases are each a clone of their own init's template: the one its
// url names (also reachable by its internal name), those declared in `databases`, and `postgres` and
// `template1`, which every PostgreSQL has and tools connect to for maintenance (psql -l, createdb-style
// helpers). Those two are empty databases, made on the first connection that names them, so a twin
// that never needs them costs nothing more. On a server that is the twin's own or the user's, a name
// passes through as it is and that server answers for it.
import type { Route, TwinDatabase, TwinDatabases } from './backend.ts';

/** The databases every PostgreSQL server has that a client may connect to (template0 refuses connections). */
export const MAINTENANCE_DATABASES = ['postgres', 'template1'] as const;

export function sharedDatabases(
  primary: TwinDatabase,
  /** The twin's databases by the names clients use, the primary included. */
  named: ReadonlyMap<string, TwinDatabase>,
  /** An empty database, for a maintenance name asked for the first time. */
  provisionEmpty: (name: string) => Promise<TwinDatabase>,
): TwinDatabases {
  const made = new Map<string, Promise<TwinDatabase>>();
  let dropped = false;
  const all = async (): Promise<TwinDatabase[]> => {
    const maintenance = await Promise.all([...made.values()].map((p) => p.catch(() => undefined)));
    return [...new Set([...named.values(), ...maintenance.filter((db): db is TwinDatabase => db !== undefined)])];
  };
  const route = async (database: string): Promise<Route | undefined> => {
    const db = named.get(database) ?? (database === primary.login.database ? primary : undefined);
    if (db) return db;
    if (dropped || !(MAINTENANCE_DATABASES as readonly string[]).includes(database)) return undefined;
    let pending = made.get(database);
    if (!pending) {
      pending = provisionEmpty(database);
      made.set(database, pending);
      // A failed one is forgotten, so the next connection tries again.
      pending.catch(() => made.get(database) === pending && made.delete(database));
    }
    return pending;
  };
  return {
    primary,
    route,
    async reset() {
      for (const db of await all()) await db.reset();
    },
    async drop() {
      dropped = true;
      for (const db of await all()) await db.drop();
    },
  };
}

/**
 * The user's own server: the name the twin's url carries is the backend URL's database; any other
 * goes through as it is, for that server to answer.
 */
export function passThroughDatabases(primary: TwinDatabase, ownName: string): TwinDatabases {
  return {
    primary,
    route: async (database) => (database === ownName ? primary : { target: primary.target, login: { ...primary.login, database } }),
    reset: () => primary.reset(),
    drop: () => primary.drop(),
  };
}
