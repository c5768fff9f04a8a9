// Each documented test card and pm_card_* token gives its documented outcome through the official
// client: declines as StripeCardError with code and decline_code, the intent left in
// requires_payment_method with last_payment_error, 3D Secure as requires_action.
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { startStripe } from './stripe-support.ts';

const DECLINES = [
  { pm: 'pm_card_chargeDeclined', number: '4000000000000002', code: 'card_declined', decline_code: 'generic_decline', message: 'Your card was declined.' },
  { pm: 'pm_card_visa_chargeDeclinedInsufficientFunds', number: '4000000000009995', code: 'card_declined', decline_code: 'insufficient_funds', message: 'Your card has insufficient funds.' },
  { pm: 'pm_card_chargeDeclinedLostCard', number: '4000000000009987', code: 'card_declined', decline_code: 'lost_card', message: 'Your card was declined.' },
  { pm: 'pm_card_chargeDeclinedStolenCard', number: '4000000000009979', code: 'card_declined', decline_code: 'stolen_card', message: 'Your card was declined.' },
  { pm: 'pm_card_chargeDeclinedExpiredCard', number: '4000000000000069', code: 'expired_card', decline_code: 'expired_card', message: 'Your card has expired.' },
  { pm: 'pm_card_chargeDeclinedIncorrectCvc', number: '4000000000000127', code: 'incorrect_cvc', decline_code: 'incorrect_cvc', message: "Your card's security code is incorrect." },
  { pm: 'pm_card_chargeDeclinedProcessingError', number: '4000000000000119', code: 'processing_error', decline_code: 'processing_error', message: 'An error occurred while processing your card. Try again in a little bit.' },
  { pm: 'pm_card_radarBlock', number: '4100000000000019', code: 'card_declined', decline_code: 'fraudulent', message: 'Your card was declined.' },
  {
    pm: 'pm_card_chargeDeclinedVelocityLimitExceeded',
    number: '4000000000006975',
    code: 'card_declined',
    decline_code: 'card_velocity_exceeded',
    message: 'Your card was declined for making repeated attempts too frequently or exceeding its amount limit.',
  },
] as const;

async function caught(promise: Promise<unknown>): Promise<Stripe.errors.StripeError> {
  try {
    await promise;
  } catch (error) {
    return error as Stripe.errors.StripeError;
  }
  throw new Error('expected the call to fail');
}

describe('stripe twin: test cards', () => {
  it.each(DECLINES)('$pm declines with $decline_code', async ({ pm, code, decline_code, message }) => {
    await using rig = await startStripe();
    const { stripe } = rig;
    const error = await caught(stripe.paymentIntents.create({ amount: 2000, currency: 'usd', payment_method: pm, confirm: true }));
    expect(error).toBeInstanceOf(Stripe.errors.StripeCardError);
    expect(error).toMatchObject({ type: 'StripeCardError', statusCode: 402, code, decline_code, message });
    const raw = error.raw as { payment_intent?: Stripe.PaymentIntent; charge?: string };
    expect(raw.payment_intent?.status).toBe('requires_payment_method');
    expect(raw.payment_intent?.last_payment_error).toMatchObject({ code, decline_code });
    const charge = await stripe.charges.retrieve(raw.charge as string);
    expect(charge).toMatchObject({ status: 'failed', paid: false, failure_code: code, outcome: { reason: decline_code } });
    const events = (await stripe.events.list()).data.map((e) => e.type);
    expect(events.slice(0, 2)).toEqual(['payment_intent.payment_failed', 'charge.failed']);
  });

  it.each(DECLINES)('raw number $number declines with $decline_code on confirm', async ({ number, decline_code }) => {
    await using rig = await startStripe();
    const { stripe } = rig;
    const pm = await stripe.paymentMethods.create({ type: 'card', card: { number, exp_month: 12, exp_year: 2035, cvc: '314' } });
    const pi = await stripe.paymentIntents.create({ amount: 2000, currency: 'usd', payment_method: pm.id });
    const error = await caught(stripe.paymentIntents.confirm(pi.id));
    expect(error).toBeInstanceOf(Stripe.errors.StripeCardError);
    expect(error.decline_code).toBe(decline_code);
    // A new payment method makes the intent payable again.
    const retried = await stripe.paymentIntents.confirm(pi.id, { payment_method: 'pm_card_visa' });
    expect(retried.status).toBe('succeeded');
  });

  it('succeeds with each brand', async () => {
    await using rig = await startStripe();
    const { stripe } = rig;
    for (const [pm, brand] of [
      ['pm_card_visa', 'visa'],
      ['pm_card_visa_debit', 'visa'],
      ['pm_card_mastercard', 'mastercard'],
      ['pm_card_amex', 'amex'],
      ['pm_card_discover', 'discover'],
    ] as const) {
      const pi = await stripe.paymentIntents.create({ amount: 2000, currency: 'usd', payment_method: pm, confirm: true, expand: ['payment_method'] });
      expect(pi.status).toBe('succeeded');
      expect((pi.payment_method as Stripe.PaymentMethod).card?.brand).toBe(brand);
    }
    const viaToken = await stripe.paymentMethods.create({ type: 'card', card: { token: 'tok_mastercard' } });
    expect(viaToken.card?.last4).toBe('4444');
  });

  it('rejects a wrong number, and declines a live card in test mode', async () => {
    await using rig = await startStripe();
    const { stripe } = rig;
    const bad = await caught(stripe.paymentMethods.create({ type: 'card', card: { number: '4242424242424241', exp_month: 1, exp_year: 2040 } }));
    expect(bad).toMatchObject({ type: 'StripeCardError', code: 'incorrect_number', param: 'card[number]' });
    const live = await stripe.paymentMethods.create({ type: 'card', card: { number: '4111111111111111', exp_month: 1, exp_year: 2040 } });
    const declined = await caught(stripe.paymentIntents.create({ amount: 900, currency: 'usd', payment_method: live.id, confirm: true }));
    expect(declined).toMatchObject({ code: 'card_declined', decline_code: 'test_mode_live_card' });
  });

  it('asks for 3D Secure on session, completes it, and fails it', async () => {
    await using rig = await startStripe();
    const { stripe, h } = rig;
    const pi = await stripe.paymentIntents.create({ amount: 2000, currency: 'usd', payment_method: 'pm_card_authenticationRequired', confirm: true });
    expect(pi.status).toBe('requires_action');
    expect(pi.next_action?.type).toBe('use_stripe_sdk');
    const done = (await h.twin.actions?.authenticate?.({ intent: pi.id })) as Stripe.PaymentIntent;
    expect(done.status).toBe('succeeded');
    expect((await stripe.paymentIntents.retrieve(pi.id)).status).toBe('succeeded');

    const other = await stripe.paymentIntents.create({ amount: 2000, currency: 'usd', payment_method: 'pm_card_threeDSecure2Required', confirm: true, return_url: 'https://shop.example/return' });
    expect(other.next_action?.type).toBe('redirect_to_url');
    const page = other.next_action?.redirect_to_url?.url as string;
    const response = await fetch(`${page}?outcome=fail`);
    expect(response.status).toBe(200);
    const failed = await stripe.paymentIntents.retrieve(other.id);
    expect(failed.status).toBe('requires_payment_method');
    expect(failed.last_payment_error?.code).toBe('payment_intent_authentication_failure');

    const types = (await stripe.events.list({ limit: 20 })).data.map((e) => e.type);
    expect(types).toContain('payment_intent.requires_action');
  });

  it('declines a 3DS card off session with authentication_required, and declines after authentication', async () => {
    await using rig = await startStripe();
    const { stripe, h } = rig;
    const customer = await stripe.customers.create({});
    const pm = await stripe.paymentMethods.attach('pm_card_authenticationRequired', { customer: customer.id });
    const error = await caught(stripe.paymentIntents.create({ amount: 2000, currency: 'usd', customer: customer.id, payment_method: pm.id, off_session: true, confirm: true }));
    expect(error).toMatchObject({ type: 'StripeCardError', code: 'authentication_required', decline_code: 'authentication_required' });

    const pi = await stripe.paymentIntents.create({ amount: 2000, currency: 'usd', payment_method: 'pm_card_authenticationRequiredChargeDeclinedInsufficientFunds', confirm: true });
    expect(pi.status).toBe('requires_action');
    await h.twin.actions?.authenticate?.({ intent: pi.id });
    const after = await stripe.paymentIntents.retrieve(pi.id);
    expect(after.status).toBe('requires_payment_method');
    expect(after.last_payment_error?.decline_code).toBe('insufficient_funds');
  });

  it('fails a setup with a declining card and succeeds with 3DS after authentication', async () => {
    await using rig = await startStripe();
    const { stripe, h } = rig;
    const customer = await stripe.customers.create({});
    const error = await caught(stripe.setupIntents.create({ customer: customer.id, payment_method: 'pm_card_chargeDeclined', confirm: true }));
    expect(error).toMatchObject({ type: 'StripeCardError', decline_code: 'generic_decline' });
    expect((error.raw as { setup_intent?: Stripe.SetupIntent }).setup_intent?.status).toBe('requires_payment_method');
    const si = await stripe.setupIntents.create({ customer: customer.id, payment_method: 'pm_card_authenticationRequiredOnSetup', confirm: true });
    expect(si.status).toBe('requires_action');
    await h.twin.actions?.authenticate?.({ intent: si.id });
    const done = await stripe.setupIntents.retrieve(si.id);
    expect(done.status).toBe('succeeded');
    // Set up for off-session use: later off-session payments go through.
    const pi = await stripe.paymentIntents.create({ amount: 1500, currency: 'usd', customer: customer.id, payment_method: done.payment_method as string, off_session: true, confirm: true });
    expect(pi.status).toBe('succeeded');
  });
});
