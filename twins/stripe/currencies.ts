// Currencies as Stripe checks them: a three-letter ISO 4217 code (any case; answered in lower
// case), the minimum amount a payment may charge, and which currencies have no minor unit.
// The ISO list is the runtime's own (ICU's ISO 4217 table through Intl), not a copy kept here.
// @see https://docs.stripe.com/currencies
import { invalidRequest } from './errors.ts';

const ISO_4217: ReadonlySet<string> = new Set(Intl.supportedValuesOf('currency').map((c) => c.toLowerCase()));

/** Amounts in these are whole units (¥500 is `500`). @see https://docs.stripe.com/currencies#zero-decimal */
const ZERO_DECIMAL: ReadonlySet<string> = new Set([
  'bif', 'clp', 'djf', 'gnf', 'jpy', 'kmf', 'krw', 'mga', 'pyg', 'rwf', 'ugx', 'vnd', 'vuv', 'xaf', 'xof', 'xpf',
]);

/**
 * The smallest charge per settlement currency, in the currency's smallest unit.
 * @see https://docs.stripe.com/currencies#minimum-and-maximum-charge-amounts
 */
const MINIMUM_CHARGE: Readonly<Record<string, number>> = {
  usd: 50, aed: 200, aud: 50, bgn: 100, brl: 50, cad: 50, chf: 50, czk: 1500, dkk: 250, eur: 50, gbp: 30, hkd: 400,
  huf: 17500, inr: 50, jpy: 50, mxn: 1000, myr: 200, nok: 300, nzd: 50, pln: 200, ron: 200, sek: 300, sgd: 50, thb: 1000,
};

/** Stripe's largest charge: $999,999.99 in a two-decimal currency. */
const MAXIMUM_CHARGE = 99_999_999;

/** The code in lower case, or Stripe's 400 naming `param`. */
export function checkCurrency(value: string, param: string): string {
  const code = value.toLowerCase();
  if (!ISO_4217.has(code)) {
    throw invalidRequest(`Invalid currency: ${value}. Stripe currently supports these currencies: ${[...ISO_4217].join(', ')}`, param);
  }
  return code;
}

/** Throws amount_too_small / amount_too_large as a PaymentIntent or Charge does. */
export function checkChargeAmount(amount: number, currency: string, param = 'amount'): void {
  if (amount < 1) throw invalidRequest('This value must be greater than or equal to 1.', param);
  const minimum = MINIMUM_CHARGE[currency];
  if (minimum !== undefined && amount < minimum) {
    throw invalidRequest(`Amount must be at least ${format(minimum, currency)} ${currency}`, param, 'amount_too_small');
  }
  if (amount > MAXIMUM_CHARGE) throw invalidRequest(`Amount must be no more than ${format(MAXIMUM_CHARGE, currency)}`, param, 'amount_too_large');
}

function format(amount: number, currency: string): string {
  if (ZERO_DECIMAL.has(currency)) return amount.toLocaleString('en-US');
  const major = (amount / 100).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  return currency === 'usd' ? `$${major}` : major;
}
