// Where the statements of a SQL script begin, as PostgreSQL splits a simple Query: at semicolons
// outside quoted strings and identifiers, comments, dollar-quoted bodies and SQL-standard function
// bodies (BEGIN ATOMIC … END). Empty statements are skipped, as the server skips them (they get no
// CommandComplete). Used to say which statement of an init script failed when PostgreSQL's error
// carries no position (a constraint violation, an error raised at run time).
// @see https://www.postgresql.org/docs/current/sql-syntax-lexical.html

/** Character (code point) offsets of each statement's first token. */
export function statementStarts(sql: string): number[] {
  const chars = [...sql];
  const starts: number[] = [];
  let current: number | undefined; // start of the statement being read, once it has a token
  let atomic = 0; // nesting inside BEGIN ATOMIC … END (CASE … END nests too)
  let previousWord = '';
  let i = 0;
  const at = (k: number): string => chars[k] ?? '';
  const isWordChar = (c: string): boolean => /[\p{L}\p{N}_$]/u.test(c);
  const token = (): void => {
    current ??= i;
  };
  while (i < chars.length) {
    const c = at(i);
    if (/\s/.test(c)) {
      i++;
    } else if (c === '-' && at(i + 1) === '-') {
      while (i < chars.length && at(i) !== '\n') i++;
    } else if (c === '/' && at(i + 1) === '*') {
      let depth = 0;
      do {
        if (at(i) === '/' && at(i + 1) === '*') (depth++, (i += 2));
        else if (at(i) === '*' && at(i + 1) === '/') (depth--, (i += 2));
        else i++;
      } while (depth > 0 && i < chars.length);
    } else if (c === "'" || c === '"') {
      token();
      // E'…' strings take backslash escapes.
      const backslashes = c === "'" && /[eE]/.test(at(i - 1)) && !isWordChar(at(i - 2));
      i++;
      while (i < chars.length) {
        if (backslashes && at(i) === '\\') i += 2;
        else if (at(i) === c && at(i + 1) === c) i += 2;
        else if (at(i) === c) break;
        else i++;
      }
      i++;
      previousWord = '';
    } else if (c === '$' && !isWordChar(at(i - 1)) && /^\$([\p{L}_][\p{L}\p{N}_]*)?\$/u.test(chars.slice(i, i + 64).join(''))) {
      token();
      const tag = (/^\$([\p{L}_][\p{L}\p{N}_]*)?\$/u.exec(chars.slice(i, i + 64).join('')) as RegExpExecArray)[0];
      const end = sql.indexOf(tag, codeUnitOffset(chars, i + [...tag].length));
      i = end < 0 ? chars.length : [...sql.slice(0, end)].length + [...tag].length;
      previousWord = '';
    } else if (c === ';') {
      i++;
      if (atomic > 0) continue;
      if (current !== undefined) starts.push(current);
      current = undefined;
      previousWord = '';
    } else if (isWordChar(c)) {
      token();
      let word = '';
      while (i < chars.length && isWordChar(at(i))) word += at(i++);
      const lower = word.toLowerCase();
      if (lower === 'atomic' && previousWord === 'begin') atomic++;
      else if (atomic > 0 && lower === 'case') atomic++;
      else if (atomic > 0 && lower === 'end') atomic--;
      previousWord = lower;
    } else {
      token();
      i++;
      previousWord = '';
    }
  }
  if (current !== undefined) starts.push(current);
  return starts;
}

function codeUnitOffset(chars: readonly string[], index: number): number {
  return chars.slice(0, index).join('').length;
}
