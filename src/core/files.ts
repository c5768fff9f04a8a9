// Which files a twin config may name (postgres `init` SQL files, http msw `handlers` modules). A
// config sent through the API is a stranger's: it reads only under the folder the operator chose
// (`standin serve --files-root DIR`), and nothing when none was chosen. Under `standin run`/`up` the
// root is the scenario file's folder. Paths resolve against the root and may not leave it, by `..`,
// an absolute path or a symbolic link.
import { realpathSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { StandinError } from './errors.ts';

export interface FileAccess {
  /** The folder files resolve against, when there is one. */
  readonly root?: string;
  /** The real absolute path of `file`, or STANDIN_ERR_FILES_*; `field` names it in the error. */
  resolve(file: string, field: string): string;
  /** The same root, relative paths resolving against `folder` (a scenario file's folder inside it). */
  from(folder: string): FileAccess;
}

/** No files at all: the default through the API. */
export const noFiles: FileAccess = {
  resolve(_file, field) {
    throw new StandinError('STANDIN_ERR_FILES_REFUSED', { field });
  },
  from: () => noFiles,
};

/** Files inside `root` only; relative paths resolve against `base` (default: the root). */
export function filesUnder(root: string, base = root): FileAccess {
  const realRoot = realOrSelf(resolve(root));
  const realBase = realOrSelf(resolve(base));
  return {
    root: realRoot,
    from: (folder) => filesUnder(realRoot, folder),
    resolve(file, field) {
      const wanted = resolve(realBase, file);
      // Symbolic links are followed before the check, so a link inside the root cannot point out.
      const real = realOrSelf(wanted);
      if (!inside(realRoot, wanted) || !inside(realRoot, real)) {
        throw new StandinError('STANDIN_ERR_FILES_OUTSIDE_ROOT', { field, file, root: realRoot });
      }
      return real;
    },
  };
}

/** Files in the folder of `file` (a scenario file's, under `standin run`/`up`). */
export function filesBeside(file: string): FileAccess {
  return filesUnder(dirname(resolve(file)));
}

/** The same access, with `prefix` before the field names in its errors (`init[0]` → `twins.db.init[0]`). */
export function withFieldPrefix(files: FileAccess, prefix: string): FileAccess {
  return {
    ...(files.root === undefined ? {} : { root: files.root }),
    resolve: (file, field) => files.resolve(file, `${prefix}${field}`),
    from: (folder) => withFieldPrefix(files.from(folder), prefix),
  };
}

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/** The real path; a path that does not exist yet is checked as written (reading it fails later). */
function realOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}
