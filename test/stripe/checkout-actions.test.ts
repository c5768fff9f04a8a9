// complete_checkout and settle_checkout through the control API, as an agent or a scenario drives
// them: typed parameters (a wrong one is a 400 naming it), a session's failure reported as the
// action's, and the session paid as the official client then sees it.
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { startControlPlane } from '../support/control-plane.ts';

describe('stripe twin: checkout actions through the control API', () => {
  it('pays a session, refuses a misspelt parameter naming it, and reports an action on an unknown session as failed', async () => {
    await using cp = await startControlPlane();
    const env = await cp.createEnv({ seed: 5, twins: { payments: { kind: 'stripe' } } });
    const vars = env.twins.payments.env as Record<string, string>;
    const stripe = new Stripe(vars.STRIPE_SECRET_KEY as string, { host: vars.STRIPE_HOST, port: Number(vars.STRIPE_PORT), protocol: 'http' });
    const session = await stripe.checkout.sessions.create({
      mode: 'payment',
      line_items: [{ price_data: { currency: 'usd', unit_amount: 2500, product_data: { name: 'Course' } }, quantity: 1 }],
      success_url: 'https://shop.example/done',
    });
    const action = (verb: string, body: unknown) => cp.call('POST', `/environments/${env.id}/twins/payments/actions/${verb}`, { token: env.token, body });

    const misspelt = await action('complete_checkout', { sesion: session.id });
    expect(misspelt.status).toBe(400);
    expect(misspelt.body.message).toMatch(/body.session: is required/);
    const badChallenge = await action('complete_checkout', { session: session.id, three_d_secure: 'maybe' });
    expect(badChallenge.status).toBe(400);
    expect(badChallenge.body.message).toMatch(/three_d_secure/);

    const unknown = await action('complete_checkout', { session: 'cs_test_missing' });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toMatchObject({ code: 'STANDIN_ERR_TWIN_ACTION_FAILED', message: expect.stringContaining("No such checkout.session: 'cs_test_missing'") });

    const paid = await action('complete_checkout', { session: session.id, card: '5555555555554444', email: 'ada@example.com', delayed: true });
    expect(paid.status).toBe(200);
    expect(paid.body.result).toMatchObject({ outcome: 'processing', session: { id: session.id, status: 'complete', payment_status: 'unpaid' } });
    const settled = await action('settle_checkout', { session: session.id, outcome: 'succeeded' });
    expect(settled.status).toBe(200);
    expect(settled.body.result).toMatchObject({ id: session.id, payment_status: 'paid' });
    const charge = (await stripe.charges.list({ payment_intent: (await stripe.checkout.sessions.retrieve(session.id)).payment_intent as string })).data[0];
    expect(charge?.payment_method_details?.card?.brand).toBe('mastercard');
  });
});
