// The client side of the determinism scenario: each twin kind through its ordinary client, one
// step after another, printing every id and choice the client saw as one JSON line. Nothing
// random on this side reaches a twin's journal (explicit idempotency keys, keyed records), so
// what differs between two runs with one seed can only come from the twins.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Admin } from '@platformatic/kafka';
import { Kafka, logLevel, PartitionAssigners, type Consumer } from 'kafkajs';
import * as oidc from 'openid-client';
import pg from 'pg';
import Stripe from 'stripe';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};
const seen: Record<string, unknown> = {};

// postgres: the process ids of BackendKeyData, and the one a notification names its sender by.
{
  const listener = new pg.Client({ connectionString: env('DATABASE_URL') });
  const sender = new pg.Client({ connectionString: env('DATABASE_URL') });
  await listener.connect();
  await sender.connect();
  await listener.query('LISTEN news');
  const notified = new Promise<pg.Notification>((resolve) => listener.once('notification', resolve));
  const inserted = await sender.query("insert into notes (body) values ('one'), ('two') returning id");
  await sender.query("NOTIFY news, 'hello'");
  const pid = (c: pg.Client): number => (c as pg.Client & { processID: number }).processID;
  seen.postgres = { pids: [pid(listener), pid(sender)], notifiedBy: (await notified).processId, ids: inserted.rows.map((r) => r.id) };
  await sender.end();
  await listener.end();
}

// kafka: the topic id and where keyed records went on `bus`; then, on `group`, two members of one
// group (one client id) assigned round-robin, which sorts members by id: the same ids give the
// same assignment.
{
  const admin = new Admin({ clientId: 'inspector', bootstrapBrokers: env('STANDIN_BUS_BOOTSTRAP').split(',') });
  const metadata = await admin.metadata({ topics: ['events'] });
  await admin.close();
  const bus = new Kafka({ clientId: 'determinism', brokers: env('STANDIN_BUS_BOOTSTRAP').split(','), logLevel: logLevel.NOTHING });
  const producer = bus.producer();
  await producer.connect();
  const sent = await producer.send({ topic: 'events', messages: Array.from({ length: 8 }, (_, i) => ({ key: `k${i}`, value: `v${i}` })) });
  await producer.disconnect();

  const group = new Kafka({ clientId: 'reader', brokers: env('STANDIN_GROUP_BOOTSTRAP').split(','), logLevel: logLevel.NOTHING });
  const members: Array<{ consumer: Consumer; joins: Array<{ memberId: string; assignment: Record<string, number[]> }> }> = [];
  const waitFor = async (what: string, done: () => boolean): Promise<void> => {
    for (let i = 0; i < 600 && !done(); i++) await new Promise((r) => setTimeout(r, 100));
    if (!done()) throw new Error(`kafka: gave up waiting for ${what}`);
  };
  const held = (m: (typeof members)[number]): number => Object.values(m.joins.at(-1)?.assignment ?? {}).flat().length;
  for (const first of [true, false]) {
    const consumer = group.consumer({ groupId: 'readers', partitionAssigners: [PartitionAssigners.roundRobin], heartbeatInterval: 300 });
    const member = { consumer, joins: [] as Array<{ memberId: string; assignment: Record<string, number[]> }> };
    consumer.on(consumer.events.GROUP_JOIN, (e) => member.joins.push({ memberId: e.payload.memberId, assignment: e.payload.memberAssignment }));
    await consumer.connect();
    await consumer.subscribe({ topic: 'work', fromBeginning: true });
    await consumer.run({ eachMessage: async () => {} });
    members.push(member);
    // The second joins once the first is in: one order of joins, so one order of member ids.
    if (first) await waitFor('the first member to join', () => member.joins.length === 1);
  }
  await waitFor('both members to hold partitions', () => members.every((m) => held(m) > 0 && held(m) < 4));
  seen.kafka = {
    topicId: metadata.topics.get('events')?.id,
    sent: sent.map((r) => [r.partition, r.baseOffset]),
    members: members.map((m) => ({ memberId: m.joins.at(-1)?.memberId, assignment: m.joins.at(-1)?.assignment })),
  };
  for (const m of members) await m.consumer.disconnect();
}

// oidc: client_credentials, then the authorization code flow through the headless login; what a
// client keeps of the ID token but not its times, hashes or the client's own nonce.
{
  const config = await oidc.discovery(new URL(env('OIDC_ISSUER')), env('OIDC_CLIENT_ID'), undefined, oidc.ClientSecretBasic(env('OIDC_CLIENT_SECRET')), {
    execute: [oidc.allowInsecureRequests],
  });
  const machine = await oidc.clientCredentialsGrant(config, { scope: 'openid' });
  const introspected = await oidc.tokenIntrospection(config, machine.access_token);
  const callback = createServer((_req, res) => res.end('callback'));
  await new Promise<void>((resolve) => callback.listen(0, '127.0.0.1', resolve));
  const redirectUri = `http://127.0.0.1:${(callback.address() as AddressInfo).port}/callback`;
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: 'openid email',
    login_hint: 'alice',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  });
  const landed = await fetch(url, { redirect: 'follow' });
  await landed.arrayBuffer();
  const tokens = await oidc.authorizationCodeGrant(config, new URL(landed.url), { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce, idTokenExpected: true });
  callback.close();
  const claims = tokens.claims();
  if (!claims) throw new Error('oidc: no ID token');
  seen.oidc = {
    clientCredentials: { token_type: machine.token_type, scope: machine.scope, active: introspected.active, client_id: introspected.client_id },
    idToken: { sub: claims.sub, email: claims.email, aud: claims.aud },
  };
}

// stripe: the ids of a customer, a confirmed payment and what it made.
{
  const stripe = new Stripe(env('STRIPE_SECRET_KEY'), { host: env('STRIPE_HOST'), port: Number(env('STRIPE_PORT')), protocol: 'http', maxNetworkRetries: 0, telemetry: false });
  const customer = await stripe.customers.create({ email: 'alice@example.test' }, { idempotencyKey: 'customer-1' });
  const intent = await stripe.paymentIntents.create(
    { amount: 1999, currency: 'usd', customer: customer.id, payment_method: 'pm_card_visa', confirm: true },
    { idempotencyKey: 'payment-1' },
  );
  const charges = await stripe.charges.list({ payment_intent: intent.id });
  seen.stripe = { customer: customer.id, intent: intent.id, status: intent.status, charges: charges.data.map((c) => c.id) };
}

// http: a stub's answer, then sixteen tosses of the `coin` rule (probability 0.5).
{
  const base = env('HTTP_API_URL');
  const item = await (await fetch(`${base}/items/42`)).json();
  const tosses: number[] = [];
  for (let i = 0; i < 16; i++) {
    const res = await fetch(`${base}/flaky`);
    await res.arrayBuffer();
    tosses.push(res.status);
  }
  seen.http = { item, tosses };
}

console.log(JSON.stringify(seen));
