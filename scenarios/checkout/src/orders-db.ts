// The orders table, through node-postgres. Writes run in transactions that are retried on
// serialization failures and deadlocks, as PostgreSQL asks clients to.
import pg from 'pg';
import { withRetry } from './retry.ts';

export type OrderStatus = 'pending' | 'paid' | 'declined';

const RETRYABLE_SQLSTATES = new Set(['40001', '40P01']);

export class OrdersDb {
  private readonly pool: pg.Pool;

  constructor(url: string) {
    this.pool = new pg.Pool({ connectionString: url, max: 2, connectionTimeoutMillis: 5000 });
  }

  async status(id: number): Promise<OrderStatus | undefined> {
    const { rows } = await this.pool.query<{ status: OrderStatus }>('select status from orders where id = $1', [id]);
    return rows[0]?.status;
  }

  async createPending(id: number, amountCents: number, currency: string, amountEurCents: number): Promise<void> {
    await this.transaction('insert order', (client) =>
      client.query(
        `insert into orders (id, amount_cents, currency, amount_eur_cents, status) values ($1, $2, $3, $4, 'pending')
         on conflict (id) do nothing`,
        [id, amountCents, currency, amountEurCents],
      ),
    );
  }

  async settle(id: number, status: OrderStatus, paymentIntent: string | null): Promise<void> {
    await this.transaction('settle order', (client) =>
      client.query('update orders set status = $2, payment_intent = $3 where id = $1', [id, status, paymentIntent]),
    );
  }

  close(): Promise<void> {
    return this.pool.end();
  }

  private transaction(what: string, work: (client: pg.PoolClient) => Promise<unknown>): Promise<void> {
    return withRetry(
      what,
      async () => {
        const client = await this.pool.connect();
        try {
          await client.query('begin');
          await work(client);
          await client.query('commit');
        } catch (error) {
          await client.query('rollback').catch(() => {});
          throw error;
        } finally {
          client.release();
        }
      },
      { attempts: 4, baseDelayMs: 50, retryable: (error) => RETRYABLE_SQLSTATES.has((error as { code?: string }).code ?? '') },
    );
  }
}
