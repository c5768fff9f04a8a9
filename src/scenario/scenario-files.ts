// Expands `standin run` arguments (files, folders, globs) into scenario file paths, sorted.
import { readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

const SCENARIO_FILE = /\.(ya?ml|json)$/;
const SKIPPED_DIRS = new Set(['node_modules', '.git', 'fixtures']);

export async function expandScenarioPaths(args: string[]): Promise<string[]> {
  const out = new Set<string>();
  for (const arg of args) {
    if (/[*?[]/.test(arg)) {
      const root = arg.split(/[\\/]/).filter((_, i, parts) => !/[*?[]/.test(parts.slice(0, i + 1).join('/'))).join('/') || '.';
      const pattern = globToRegExp(arg);
      for (const file of await walk(root)) if (pattern.test(file) || pattern.test(relative('.', file))) out.add(file);
      continue;
    }
    const info = await stat(arg).catch(() => undefined);
    if (info?.isDirectory()) for (const file of await walk(arg)) out.add(file);
    else out.add(arg); // a missing file is reported by the reader with its name
  }
  return [...out].sort();
}

async function walk(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const files: string[] = [];
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name) && !entry.name.startsWith('.')) files.push(...(await walk(path)));
    } else if (SCENARIO_FILE.test(entry.name)) files.push(path);
  }
  return files;
}

function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob.charAt(i);
    if (c === '*' && glob[i + 1] === '*') {
      re += '.*';
      i++;
      if (glob[i + 1] === '/') i++;
    } else if (c === '*') re += `[^${sep === '\\' ? '\\\\' : '/'}]*`;
    else if (c === '?') re += '.';
    else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^(\\./)?${re}$`);
}
