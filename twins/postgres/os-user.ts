// PostgreSQL refuses to run as root ("root" execution of the PostgreSQL server is not permitted), and
// CI runs as root on a fresh machine. So when Standin is root, the server runs as an ordinary OS
// user, created here when missing, and every path it touches must be reachable by that user.
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

export interface OsUser {
  name: string;
  uid: number;
  gid: number;
}

export const SERVICE_USER = process.env.STANDIN_PG_OS_USER ?? 'standin';

/** The user the server runs as: undefined when Standin is not root (the server runs as Standin's user). */
export function serverOsUser(): OsUser | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  return ensureOsUser(SERVICE_USER);
}

function ensureOsUser(name: string): OsUser {
  let failure = '';
  // Parallel Standin processes (test workers) may race to create the user: useradd then fails on
  // its lock or on the name taken, and the user appears a moment later.
  for (let attempt = 0; attempt < 50; attempt++) {
    const ids = lookup(name);
    if (ids) return { name, ...ids };
    try {
      // A system account with no home and no login shell: it only owns the cluster files.
      execFileSync('useradd', ['--system', '--user-group', '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin', name], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
    } catch (error) {
      failure = String((error as { stderr?: Buffer }).stderr ?? error).trim();
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
    }
  }
  throw new Error(`postgres: cannot create OS user ${name} to run the server as (PostgreSQL refuses root): ${failure}`);
}

function lookup(name: string): { uid: number; gid: number } | undefined {
  try {
    const uid = Number(execFileSync('id', ['-u', name], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim());
    const gid = Number(execFileSync('id', ['-g', name], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim());
    return Number.isInteger(uid) && Number.isInteger(gid) ? { uid, gid } : undefined;
  } catch {
    return undefined;
  }
}

/** Whether `user` can traverse every directory from / down to `path` (read+execute on the last). */
export function reachableBy(path: string, user: OsUser): boolean {
  let current = resolve(path);
  for (;;) {
    let mode: number;
    let owner: number;
    let group: number;
    try {
      const st = statSync(current);
      mode = st.mode;
      owner = st.uid;
      group = st.gid;
    } catch {
      return false;
    }
    const bits = owner === user.uid ? (mode >> 6) & 7 : group === user.gid ? (mode >> 3) & 7 : mode & 7;
    if ((bits & 1) === 0) return false;
    const parent = dirname(current);
    if (parent === current) return true;
    current = parent;
  }
}
