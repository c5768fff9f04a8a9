// The hosted checkout page (session.url) in a real browser — Debian's chromium through
// playwright-core — as a person completes it: type a card, pay, land on the success_url; a
// declined card shows Stripe's message and the next card pays; a 3D Secure card shows the
// challenge. The page's plain HTTP behaviour (escaping, unknown and expired sessions) is checked
// with fetch.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type Stripe from 'stripe';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumPath, launchChromium } from '../ui/browser.ts';
import { startStripe, type StripeRig } from './stripe-support.ts';

const WAIT = { timeout: 30_000 };
// Generous: the machine is shared, and a browser start is slow under load.
const TEST_TIMEOUT = 120_000;

/** The shop the page sends the customer back to: answers every path with the path. */
async function startShop(): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => res.writeHead(200, { 'Content-Type': 'text/html' }).end(`<p id="shop">shop ${req.url}</p>`));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const lineItems = (name: string, amount: number): Stripe.Checkout.SessionCreateParams.LineItem[] => [
  { price_data: { currency: 'usd', unit_amount: amount, product_data: { name } }, quantity: 1 },
];

describe('stripe twin: hosted checkout page over HTTP', () => {
  it('escapes what the merchant wrote, answers 404 for an unknown session and shows an expired one as expired', async () => {
    await using rig = await startStripe();
    const { stripe } = rig;
    const session = await stripe.checkout.sessions.create({ mode: 'payment', line_items: lineItems('<script>alert(1)</script>', 1000), success_url: 'https://shop.example/ok' });
    const page = await fetch(session.url as string);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    const html = await page.text();
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).toContain('&#60;script&#62;alert(1)&#60;/script&#62;');
    expect(html).toContain('10.00 USD');
    const yen = await stripe.checkout.sessions.create({ mode: 'payment', line_items: [{ price_data: { currency: 'jpy', unit_amount: 500, product_data: { name: 'Tea' } }, quantity: 1 }], success_url: 'https://shop.example/ok' });
    expect(await (await fetch(yen.url as string)).text()).toContain('500 JPY');
    expect((await fetch(`${rig.env.STRIPE_API_BASE}/c/pay/cs_test_missing`)).status).toBe(404);
    await stripe.checkout.sessions.expire(session.id);
    expect(await (await fetch(session.url as string)).text()).toContain('expired');
    // Paying an expired session through the page is refused with the reason.
    const post = await fetch(session.url as string, { method: 'POST', body: new URLSearchParams({ card: '4242424242424242' }) });
    expect(post.status).toBe(400);
    expect(await post.text()).toContain('expired');
  });
});

describe('stripe twin: hosted checkout page, 3D Secure over HTTP', () => {
  it('sends a 3DS card to the challenge, comes back to it from /return, and shows the failure when it is failed', async () => {
    await using rig = await startStripe();
    const { stripe } = rig;
    const session = await stripe.checkout.sessions.create({ mode: 'payment', line_items: lineItems('Jacket', 8000), success_url: 'https://shop.example/ok' });
    const url = session.url as string;
    const pay = await fetch(url, { method: 'POST', body: new URLSearchParams({ card: '4000 0027 6000 3184', expiry: '1/30', email: 'x@example.com' }), redirect: 'manual' });
    expect([pay.status, pay.headers.get('location')]).toEqual([303, `${url}/authenticate`]);
    const back = await fetch(`${url}/return`, { redirect: 'manual' });
    expect([back.status, back.headers.get('location')]).toEqual([303, `${url}/authenticate`]);
    expect(await (await fetch(`${url}/authenticate`)).text()).toContain('Complete authentication');
    const failed = await fetch(`${url}/authenticate`, { method: 'POST', body: new URLSearchParams({ outcome: 'fail' }), redirect: 'manual' });
    expect(failed.status).toBe(402);
    expect(await failed.text()).toContain('The provided PaymentMethod has failed authentication.');
    expect((await stripe.checkout.sessions.retrieve(session.id)).status).toBe('open');
    // Nothing waits for a challenge any more.
    expect((await fetch(`${url}/authenticate`, { method: 'POST', body: new URLSearchParams({ outcome: 'succeed' }) })).status).toBe(400);
  });
});

describe.skipIf(chromiumPath === undefined)(
  `stripe twin: hosted checkout page in a browser${chromiumPath === undefined ? ' — SKIPPED: no chromium executable (apt-get install -y chromium, or set CHROMIUM_PATH)' : ''}`,
  () => {
    let browser: Browser;
    let rig: StripeRig;
    let shop: Awaited<ReturnType<typeof startShop>>;
    beforeAll(async () => {
      [browser, rig, shop] = await Promise.all([launchChromium(), startStripe(), startShop()]);
    }, TEST_TIMEOUT);
    afterAll(async () => {
      await browser?.close();
      await rig?.[Symbol.asyncDispose]();
      await shop?.close();
    });

    it(
      'a person pays with a declined card, reads why, pays with 4242…, and lands on the success_url',
      async () => {
        const { stripe } = rig;
        const session = await stripe.checkout.sessions.create({
          mode: 'payment',
          line_items: lineItems('Concert ticket', 4500),
          success_url: `${shop.url}/thanks?session_id={CHECKOUT_SESSION_ID}`,
          cancel_url: `${shop.url}/cart`,
        });
        const page = await browser.newPage();
        await page.goto(session.url as string);
        expect(await page.textContent('#total')).toBe('45.00 USD');
        await page.fill('input[name=email]', 'jenny@example.com');
        await page.fill('input[name=card]', '4000 0000 0000 0002');
        await page.fill('input[name=expiry]', '12 / 34');
        await page.fill('input[name=cvc]', '123');
        await page.click('#submit');
        await page.waitForSelector('#error', WAIT);
        expect(await page.textContent('#error')).toBe('Your card was declined.');
        expect((await stripe.checkout.sessions.retrieve(session.id)).status).toBe('open');

        await page.fill('input[name=card]', '4242 4242 4242 4242');
        await page.fill('input[name=expiry]', '12 / 34');
        await page.click('#submit');
        await page.waitForSelector('#shop', WAIT);
        expect(page.url()).toBe(`${shop.url}/thanks?session_id=${session.id}`);
        const done = await stripe.checkout.sessions.retrieve(session.id);
        expect(done).toMatchObject({ status: 'complete', payment_status: 'paid', customer_details: { email: 'jenny@example.com' } });
        const pm = await stripe.paymentMethods.retrieve((await stripe.paymentIntents.retrieve(done.payment_intent as string)).payment_method as string);
        expect(pm.card).toMatchObject({ last4: '4242', exp_month: 12, exp_year: 2034 });
        await page.close();
      },
      TEST_TIMEOUT,
    );

    it(
      'a 3D Secure card shows the challenge; completing it subscribes the customer',
      async () => {
        const { stripe } = rig;
        const price = await stripe.prices.create({ currency: 'usd', unit_amount: 900, recurring: { interval: 'month' }, product_data: { name: 'Streaming' } });
        const session = await stripe.checkout.sessions.create({ mode: 'subscription', line_items: [{ price: price.id, quantity: 1 }], success_url: `${shop.url}/welcome` });
        const page = await browser.newPage();
        await page.goto(session.url as string);
        await page.fill('input[name=email]', 'sub@example.com');
        await page.fill('input[name=card]', '4000000000003220');
        await page.click('#submit');
        await page.waitForSelector('#complete-auth', WAIT);
        expect((await stripe.checkout.sessions.retrieve(session.id)).status).toBe('open');
        await page.click('#complete-auth');
        await page.waitForSelector('#shop', WAIT);
        expect(page.url()).toBe(`${shop.url}/welcome`);
        const done = await stripe.checkout.sessions.retrieve(session.id, { expand: ['subscription', 'customer'] });
        expect(done.status).toBe('complete');
        expect((done.subscription as Stripe.Subscription).status).toBe('active');
        expect((done.customer as Stripe.Customer).email).toBe('sub@example.com');
        await page.close();
      },
      TEST_TIMEOUT,
    );
  },
);
