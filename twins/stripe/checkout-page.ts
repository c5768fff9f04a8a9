// The hosted checkout page a session's `url` points at, served by the twin itself: plain
// server-rendered HTML a person (or a browser test) completes by typing a test card, with a
// 3D Secure challenge step of its own. Forms post back here; no script runs on the page.
//   GET  /c/pay/:id               the order and the card form (or the session's end state)
//   POST /c/pay/:id               pay: complete → success_url, 3DS → challenge, decline → form again
//   GET|POST /c/pay/:id/authenticate   the challenge: complete or fail it
//   GET  /c/pay/:id/return        where a PaymentIntent's own 3DS redirect comes back to
// @see https://docs.stripe.com/payments/checkout (the page it stands in for)
import {
  authenticateCheckoutSession,
  checkoutSessionOutcome,
  payCheckoutSession,
  type CheckoutCard,
  type CheckoutOutcome,
} from './checkout-payment.ts';
import { StripeApiError } from './errors.ts';
import { checkoutPageUrl, requireSession, sessionLineItems } from './resources/checkout-sessions.ts';
import type { StripeState } from './state.ts';
import type { CheckoutSession } from './stripe-objects.ts';

export const CHECKOUT_PAGE_PREFIX = '/c/pay/';

export interface PageAnswer {
  status: number;
  body: string;
  headers: Record<string, string>;
}

/** Answers a request under /c/pay/; `body` is the form the page posted. */
export function checkoutPage(state: StripeState, method: string, path: string, body: string): PageAnswer {
  const [id = '', step = ''] = path.slice(CHECKOUT_PAGE_PREFIX.length).split('/');
  let session: CheckoutSession;
  try {
    session = requireSession(state, decodeURIComponent(id));
  } catch {
    return page(404, 'Checkout', '<p>This checkout page does not exist.</p>');
  }
  const form = new URLSearchParams(body);
  try {
    if (step === '' && method === 'GET') return orderPage(state, session);
    if (step === '' && method === 'POST') return answer(state, payCheckoutSession(state, session.id, cardFrom(form)), form);
    if (step === 'authenticate' && method === 'GET') return challengePage(session);
    if (step === 'authenticate' && method === 'POST') return answer(state, authenticateCheckoutSession(state, session.id, form.get('outcome') !== 'fail'));
    if (step === 'return' && method === 'GET') return answer(state, checkoutSessionOutcome(state, session.id));
  } catch (error) {
    if (error instanceof StripeApiError) return orderPage(state, session, { error: error.message, status: 400, form });
    throw error;
  }
  return page(404, 'Checkout', '<p>Not found.</p>');
}

/** `4242 4242 4242 4242`, `12 / 34` and friends as the page's fields give them. */
function cardFrom(form: URLSearchParams): CheckoutCard {
  const [month, year] = (form.get('expiry') ?? '').split('/').map((part) => Number(part.trim()));
  const card: CheckoutCard = { card: (form.get('card') ?? '').replace(/\s+/g, '') };
  if (month) card.exp_month = month;
  if (year) card.exp_year = year < 100 ? 2000 + year : year;
  const cvc = form.get('cvc');
  if (cvc) card.cvc = cvc;
  const email = form.get('email');
  if (email) card.email = email;
  const name = form.get('name');
  if (name) card.name = name;
  return card;
}

/** Where an outcome takes the browser next; a decline shows the form again with what was typed (but the card). */
function answer(state: StripeState, result: CheckoutOutcome, form?: URLSearchParams): PageAnswer {
  const { session } = result;
  if (result.outcome === 'requires_action') return redirect(`${checkoutPageUrl(state, session.id)}/authenticate`);
  if (result.outcome === 'declined') return orderPage(state, session, { error: result.error.message, status: 402, ...(form ? { form } : {}) });
  if (session.success_url) return redirect(session.success_url.replaceAll('{CHECKOUT_SESSION_ID}', session.id));
  return orderPage(state, session);
}

interface Retry {
  error: string;
  status: number;
  /** The form as posted, so email and name need not be typed again. */
  form?: URLSearchParams;
}

function orderPage(state: StripeState, session: CheckoutSession, retry?: Retry): PageAnswer {
  const items = sessionLineItems(session)
    .map((item) => `<tr><td>${esc(item.description ?? item.price.id)} × ${item.quantity}</td><td>${money(item.amount_total, item.currency)}${recurring(item.price.recurring)}</td></tr>`)
    .join('');
  const total = session.amount_total === null ? '' : `<tr><th>Total</th><th id="total">${money(session.amount_total, session.currency ?? '')}</th></tr>`;
  const summary = session.mode === 'setup' ? '<p>Save a card for future payments.</p>' : `<table>${items}${total}</table>`;
  let main: string;
  if (session.status === 'complete') main = `<p id="status">${session.payment_status === 'unpaid' ? 'Payment processing.' : 'Thank you — payment complete.'}</p>`;
  else if (session.status === 'expired') main = '<p id="status">This checkout session has expired.</p>';
  else main = `${retry ? `<p id="error" role="alert">${esc(retry.error)}</p>` : ''}${cardForm(state, session, retry?.form)}`;
  const back = session.status === 'open' && session.cancel_url ? `<p><a id="cancel" href="${esc(session.cancel_url)}">← Back</a></p>` : '';
  return page(retry?.status ?? 200, 'Checkout', `${back}${summary}${main}`);
}

function cardForm(state: StripeState, session: CheckoutSession, typed?: URLSearchParams): string {
  const email = typed?.get('email') ?? session.customer_email ?? (session.customer ? state.customers.get(session.customer)?.email : null) ?? '';
  const name = typed?.get('name') ?? '';
  const label = session.mode === 'setup' ? 'Save card' : session.mode === 'subscription' ? 'Subscribe' : 'Pay';
  return `<form method="post" action="${esc(checkoutPageUrl(state, session.id))}">
<label>Email <input name="email" type="email" autocomplete="email" value="${esc(email)}"></label>
<label>Card number <input name="card" inputmode="numeric" autocomplete="cc-number" placeholder="4242 4242 4242 4242" required></label>
<label>Expiry <input name="expiry" autocomplete="cc-exp" placeholder="MM / YY"></label>
<label>CVC <input name="cvc" autocomplete="cc-csc" placeholder="123"></label>
<label>Name on card <input name="name" autocomplete="cc-name" value="${esc(name)}"></label>
<button type="submit" id="submit">${label}</button>
</form>`;
}

function challengePage(session: CheckoutSession): PageAnswer {
  const action = `${CHECKOUT_PAGE_PREFIX}${encodeURIComponent(session.id)}/authenticate`;
  return page(
    200,
    '3D Secure',
    `<p>Your bank asks you to confirm this payment (3D Secure test page).</p>
<form method="post" action="${action}"><button name="outcome" value="succeed" id="complete-auth">Complete authentication</button> <button name="outcome" value="fail" id="fail-auth">Fail authentication</button></form>`,
  );
}

function redirect(location: string): PageAnswer {
  return { status: 303, body: '', headers: { Location: location } };
}

function page(status: number, title: string, content: string): PageAnswer {
  const body = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(title)} · Standin</title>
<style>body{font:16px system-ui,sans-serif;max-width:28rem;margin:2rem auto;padding:0 1rem}label{display:block;margin:.6rem 0}input{display:block;width:100%;padding:.4rem;box-sizing:border-box}table{width:100%;margin:1rem 0}td+td,th+th{text-align:right}#error{color:#b00020}button{padding:.5rem 1rem;margin-top:.6rem}</style>
</head><body><h1>${esc(title)}</h1>${content}<p><small>Test mode — Standin's Stripe twin.</small></p></body></html>`;
  return { status, body, headers: { 'Content-Type': 'text/html; charset=utf-8' } };
}

/** `45.00 USD`, `500 JPY`: the currency's own minor unit, as ICU knows it. */
function money(amount: number, currency: string): string {
  const code = currency.toUpperCase();
  let digits = 2;
  try {
    digits = new Intl.NumberFormat('en', { style: 'currency', currency: code }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    // Not an ISO code ICU knows: two decimals, as most currencies have.
  }
  return `${(amount / 10 ** digits).toFixed(digits)} ${esc(code)}`;
}

function recurring(value: { interval: string; interval_count: number } | null): string {
  if (!value) return '';
  return value.interval_count === 1 ? ` / ${esc(value.interval)}` : ` / ${value.interval_count} ${esc(value.interval)}s`;
}

function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
