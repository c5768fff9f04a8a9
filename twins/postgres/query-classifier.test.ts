import { describe, expect, it } from 'vitest';
import { classifyQuery } from './query-classifier.ts';

describe('classifyQuery', () => {
  it.each([
    ['SELECT * FROM public.orders o JOIN "Items" i ON i.order_id = o.id', 'select', ['orders', 'Items']],
    ['  -- leading comment\n/* block */ insert into orders (id) values (1)', 'insert', ['orders']],
    ["UPDATE accounts SET note = 'from nowhere' WHERE id = 1", 'update', ['accounts']],
    ['DELETE FROM sessions WHERE expires < now()', 'delete', ['sessions']],
    ['WITH moved AS (DELETE FROM a RETURNING *) INSERT INTO b SELECT * FROM moved', 'delete', ['a', 'b', 'moved']],
    ['CREATE TABLE IF NOT EXISTS t (id int)', 'ddl', ['t']],
    ['begin isolation level serializable', 'begin', []],
    ['START TRANSACTION', 'begin', []],
    ['COMMIT', 'commit', []],
    ['ROLLBACK', 'rollback', []],
    ['COPY items FROM STDIN', 'copy', ['items']],
    ["SELECT $$ from fake $$, 'from also_fake' FROM real_table", 'select', ['real_table']],
  ])('%s', (sql, kind, tables) => {
    expect(classifyQuery(sql)).toEqual({ kind, tables });
  });
});
