// Shared setup for the stripe twin's tests: a started twin with the official client pointed at it,
// and a small webhook receiver that verifies every delivery with stripe.webhooks.constructEvent.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { stripeTwin } from '../../twins/stripe/index.ts';
import { startTwin, type TwinHarness } from '../support/twin-harness.ts';

export interface StripeRig extends AsyncDisposable {
  h: TwinHarness;
  stripe: Stripe;
  env: Record<string, string>;
  /** A client with other options (retries, timeout…) against the same twin. */
  client(options?: Stripe.StripeConfig): Stripe;
}

export async function startStripe(config: Record<string, unknown> = {}, seed = 7): Promise<StripeRig> {
  const h = await startTwin(stripeTwin, config, { seed });
  const env = h.twin.env;
  const client = (options: Stripe.StripeConfig = {}): Stripe =>
    new Stripe(env.STRIPE_SECRET_KEY as string, {
      host: env.STRIPE_HOST,
      port: Number(env.STRIPE_PORT),
      protocol: 'http',
      ...options,
    });
  return { h, env, stripe: client(), client, [Symbol.asyncDispose]: () => h.stop() };
}

export interface ReceivedEvent {
  event: Stripe.Event;
  signature: string;
}

export interface Receiver extends AsyncDisposable {
  url: string;
  /** Events that passed constructEvent, in arrival order. */
  events: ReceivedEvent[];
  /** Deliveries constructEvent rejected, with its message. */
  rejected: string[];
  /** Status for the next deliveries: first element used first; empty → 200. */
  respondWith: number[];
  waitFor(predicate: () => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startReceiver(secret: string): Promise<Receiver> {
  const verifier = new Stripe('sk_test_unused');
  const events: ReceivedEvent[] = [];
  const rejected: string[] = [];
  const respondWith: number[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const signature = String(req.headers['stripe-signature'] ?? '');
      try {
        const event = verifier.webhooks.constructEvent(body, signature, secret);
        const status = respondWith.shift() ?? 200;
        if (status < 300) events.push({ event, signature });
        res.writeHead(status).end();
      } catch (error) {
        rejected.push((error as Error).message);
        res.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const close = (): Promise<void> =>
    new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return {
    url: `http://127.0.0.1:${port}/webhooks`,
    events,
    rejected,
    respondWith,
    waitFor: async (predicate, timeoutMs = 10_000) => {
      const deadline = Date.now() + timeoutMs;
      while (!predicate()) {
        if (Date.now() > deadline) throw new Error('timed out waiting for webhook deliveries');
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
