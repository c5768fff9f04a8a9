// The checkout example service: places one order.
//   place-order --order 42 --amount 1999 --currency USD [--card pm_card_visa]
// It verifies the caller's token (OIDC), converts the amount to EUR (a third-party rates API),
// records the order (PostgreSQL), charges it (Stripe) and announces it (Kafka), each through its
// ordinary client. Exit codes: 0 paid, 2 card declined, 3 unauthorized, 4 bad data, 1 anything else.
// NAIVE=retry-without-idempotency, NAIVE=trust-token or NAIVE=legacy-charges turn on a deliberate
// bug (see scenarios/).
import { parseArgs } from 'node:util';
import { Unauthorized, verifyCaller } from './src/auth.ts';
import { publishOrderEvent } from './src/order-events.ts';
import { OrdersDb } from './src/orders-db.ts';
import { CardDeclined, charge, receiptCharge, stripeClient } from './src/payments.ts';
import { BadRateData, eurRate } from './src/rates.ts';

const { values } = parseArgs({
  options: {
    order: { type: 'string' },
    amount: { type: 'string', default: '1999' },
    currency: { type: 'string', default: 'EUR' },
    card: { type: 'string', default: 'pm_card_visa' },
  },
});
const order = { id: Number(values.order), amountCents: Number(values.amount), currency: String(values.currency).toUpperCase(), card: String(values.card) };
const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

async function main(): Promise<number> {
  const caller = await verifyCaller(process.env.ORDER_TOKEN, env('OIDC_ISSUER'), env('OIDC_CLIENT_ID'));
  const rate = await eurRate(env('RATES_URL'), order.currency);
  const db = new OrdersDb(env('DATABASE_URL'));
  try {
    if ((await db.status(order.id)) === 'paid') {
      console.log(`order ${order.id} was already paid`);
      return 0;
    }
    await db.createPending(order.id, order.amountCents, order.currency, Math.round(order.amountCents * rate));
    let status: 'paid' | 'declined' = 'paid';
    let paymentIntent: string | null = null;
    let receipt: string | null = null;
    try {
      const intent = await charge(stripeClient(), order);
      paymentIntent = intent.id;
      if (intent.status !== 'succeeded') throw new Error(`payment ${intent.id} is ${intent.status}`);
      receipt = receiptCharge(intent);
    } catch (error) {
      if (!(error instanceof CardDeclined)) throw error;
      status = 'declined';
      console.log(`order ${order.id}: card declined (${error.declineCode ?? error.message})`);
    }
    await db.settle(order.id, status, paymentIntent);
    await publishOrderEvent(env('KAFKA_BROKERS'), { orderId: order.id, status, paymentIntent });
    console.log(`order ${order.id} ${status}${paymentIntent ? ` (${paymentIntent})` : ''} for ${caller.sub}${receipt ? `, receipt ${receipt}` : ''}`);
    return status === 'paid' ? 0 : 2;
  } finally {
    await db.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof Unauthorized) {
      console.error(`unauthorized: ${error.message}`);
      process.exit(3);
    }
    if (error instanceof BadRateData) {
      console.error(`bad data: ${error.message}`);
      process.exit(4);
    }
    console.error(`failed: ${(error as Error).stack ?? error}`);
    process.exit(1);
  },
);
