import { describe, expect, it } from 'vitest';
import { statementStarts } from './sql-statements.ts';

/** The first 8 characters of each statement. */
const starts = (sql: string): string[] => statementStarts(sql).map((s) => [...sql].slice(s, s + 8).join(''));

describe('statementStarts', () => {
  it('splits at semicolons and skips empty statements, whitespace and comments', () => {
    expect(starts('SELECT 1;\n\n  -- note; here\n  SELECT 2;;  /* a; /* nested; */ b */ SELECT 3')).toEqual(['SELECT 1', 'SELECT 2', 'SELECT 3']);
    expect(starts('  ;  -- only a comment;')).toEqual([]);
  });

  it('does not split inside strings, identifiers, E-strings and dollar quotes', () => {
    const sql = `INSERT INTO t VALUES ('a;''b');CREATE TABLE "x;y" (v text);SELECT E'\\';';DO $body$ BEGIN PERFORM 1; END $body$;SELECT $$;$$;SELECT a$b FROM c`;
    expect(starts(sql)).toEqual(['INSERT I', 'CREATE T', "SELECT E", 'DO $body', 'SELECT $', 'SELECT a']);
  });

  it('keeps a SQL-standard function body (BEGIN ATOMIC … END) in one statement', () => {
    const sql = 'CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT CASE WHEN true THEN 1 END; SELECT 2; END;\nSELECT f()';
    expect(starts(sql)).toEqual(['CREATE F', 'SELECT f']);
  });

  it('counts characters, not UTF-16 units, as PostgreSQL positions do', () => {
    expect(statementStarts("SELECT '😀';SELECT 2")).toEqual([0, 11]);
  });
});
