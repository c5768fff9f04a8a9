// Stripe's documented test cards and the `pm_card_*` / `tok_*` tokens that stand for them, with the
// outcome each one has when charged. Numbers not in this table are treated as live cards used in
// test mode, which Stripe declines.
// @see https://docs.stripe.com/testing (Cards by brand, Declined payments, 3D Secure authentication)

export type CardBrand = 'visa' | 'mastercard' | 'amex' | 'discover' | 'diners' | 'jcb' | 'unionpay';

export interface Decline {
  /** The error `code`: card_declined for most declines, else a specific code. */
  code: string;
  decline_code: string;
  message: string;
  /** The parameter the error points at (exp_month for an expired card, cvc for a bad cvc). */
  param?: string;
}

export interface TestCard {
  number: string;
  brand: CardBrand;
  funding: 'credit' | 'debit' | 'prepaid';
  country: string;
  /** pm_card_* and tok_* names for this card. */
  tokens: readonly string[];
  /**
   * `always`: every payment needs 3D Secure (off-session ones fail with authentication_required);
   * `on_session`: on-session payments need it, off-session ones (after setup) succeed.
   */
  threeDS?: 'always' | 'on_session';
  /** The decline the charge ends in (after authentication, for 3DS cards). */
  decline?: Decline;
  /** The dispute the charge gets once it succeeds (resources/disputes.ts); an inquiry moves no money. */
  dispute?: { reason: string; inquiry: boolean };
}

const declined = (decline_code: string, message = 'Your card was declined.'): Decline => ({
  code: 'card_declined',
  decline_code,
  message,
});

/** Declines by decline code, for fault rules that name any decline_code. */
export const DECLINES: Record<string, Decline> = {
  generic_decline: declined('generic_decline'),
  insufficient_funds: declined('insufficient_funds', 'Your card has insufficient funds.'),
  lost_card: declined('lost_card'),
  stolen_card: declined('stolen_card'),
  fraudulent: declined('fraudulent'),
  expired_card: { code: 'expired_card', decline_code: 'expired_card', message: 'Your card has expired.', param: 'exp_month' },
  incorrect_cvc: { code: 'incorrect_cvc', decline_code: 'incorrect_cvc', message: "Your card's security code is incorrect.", param: 'cvc' },
  processing_error: {
    code: 'processing_error',
    decline_code: 'processing_error',
    message: 'An error occurred while processing your card. Try again in a little bit.',
  },
  authentication_required: {
    code: 'authentication_required',
    decline_code: 'authentication_required',
    message: 'Your card was declined. This transaction requires authentication.',
  },
  test_mode_live_card: declined(
    'test_mode_live_card',
    'Your card was declined. Your request was in test mode, but used a non test (live) card. For a list of valid test cards, visit: https://stripe.com/docs/testing.',
  ),
};

/** A decline for any code a fault rule names; unknown codes read as Stripe's generic message. */
export function declineFor(declineCode: string): Decline {
  return DECLINES[declineCode] ?? declined(declineCode);
}

const card = (
  number: string,
  brand: CardBrand,
  tokens: string[],
  extra: Partial<Pick<TestCard, 'funding' | 'country' | 'threeDS' | 'decline' | 'dispute'>> = {},
): TestCard => ({ number, brand, funding: 'credit', country: 'US', tokens, ...extra });

export const TEST_CARDS: readonly TestCard[] = [
  card('4242424242424242', 'visa', ['pm_card_visa', 'tok_visa']),
  card('4000056655665556', 'visa', ['pm_card_visa_debit', 'tok_visa_debit'], { funding: 'debit' }),
  card('5555555555554444', 'mastercard', ['pm_card_mastercard', 'tok_mastercard']),
  card('5200828282828210', 'mastercard', ['pm_card_mastercard_debit', 'tok_mastercard_debit'], { funding: 'debit' }),
  card('5105105105105100', 'mastercard', ['pm_card_mastercard_prepaid', 'tok_mastercard_prepaid'], { funding: 'prepaid' }),
  card('378282246310005', 'amex', ['pm_card_amex', 'tok_amex']),
  card('6011111111111117', 'discover', ['pm_card_discover', 'tok_discover']),
  card('3056930009020004', 'diners', ['pm_card_diners', 'tok_diners']),
  card('3566002020360505', 'jcb', ['pm_card_jcb', 'tok_jcb'], { country: 'JP' }),
  card('6200000000000005', 'unionpay', ['pm_card_unionpay', 'tok_unionpay'], { country: 'CN' }),
  // Declines
  card('4000000000000002', 'visa', ['pm_card_visa_chargeDeclined', 'pm_card_chargeDeclined', 'tok_chargeDeclined'], {
    decline: DECLINES.generic_decline,
  }),
  card(
    '4000000000009995',
    'visa',
    ['pm_card_visa_chargeDeclinedInsufficientFunds', 'pm_card_chargeDeclinedInsufficientFunds', 'tok_chargeDeclinedInsufficientFunds'],
    { decline: DECLINES.insufficient_funds },
  ),
  card('4000000000009987', 'visa', ['pm_card_visa_chargeDeclinedLostCard', 'pm_card_chargeDeclinedLostCard', 'tok_chargeDeclinedLostCard'], {
    decline: DECLINES.lost_card,
  }),
  card(
    '4000000000009979',
    'visa',
    ['pm_card_visa_chargeDeclinedStolenCard', 'pm_card_chargeDeclinedStolenCard', 'tok_chargeDeclinedStolenCard'],
    { decline: DECLINES.stolen_card },
  ),
  card('4000000000000069', 'visa', ['pm_card_chargeDeclinedExpiredCard', 'pm_card_visa_chargeDeclinedExpiredCard', 'tok_chargeDeclinedExpiredCard'], {
    decline: DECLINES.expired_card,
  }),
  card('4000000000000127', 'visa', ['pm_card_chargeDeclinedIncorrectCvc', 'pm_card_visa_chargeDeclinedIncorrectCvc', 'tok_chargeDeclinedIncorrectCvc'], {
    decline: DECLINES.incorrect_cvc,
  }),
  card('4000000000000119', 'visa', ['pm_card_chargeDeclinedProcessingError', 'pm_card_visa_chargeDeclinedProcessingError', 'tok_chargeDeclinedProcessingError'], {
    decline: DECLINES.processing_error,
  }),
  card('4100000000000019', 'visa', ['pm_card_radarBlock', 'pm_card_chargeDeclinedFraudulent', 'tok_radarBlock', 'tok_chargeDeclinedFraudulent'], {
    decline: DECLINES.fraudulent,
  }),
  card('4000000000006975', 'visa', ['pm_card_chargeDeclinedVelocityLimitExceeded', 'tok_chargeDeclinedVelocityLimitExceeded'], {
    decline: declined('card_velocity_exceeded', 'Your card was declined for making repeated attempts too frequently or exceeding its amount limit.'),
  }),
  // Attaching to a customer succeeds, charging it fails.
  card('4000000000000341', 'visa', ['pm_card_chargeCustomerFail', 'tok_chargeCustomerFail'], { decline: DECLINES.generic_decline }),
  // Disputes: the charge succeeds, then is disputed.
  card('4000000000000259', 'visa', ['pm_card_createDispute', 'tok_createDispute'], { dispute: { reason: 'fraudulent', inquiry: false } }),
  card('4000000000002685', 'visa', ['pm_card_createDisputeProductNotReceived', 'tok_createDisputeProductNotReceived'], {
    dispute: { reason: 'product_not_received', inquiry: false },
  }),
  card('4000000000001976', 'visa', ['pm_card_createDisputeInquiry', 'tok_createDisputeInquiry'], { dispute: { reason: 'fraudulent', inquiry: true } }),
  // 3D Secure
  card('4000002760003184', 'visa', ['pm_card_authenticationRequired', 'tok_authenticationRequired'], { threeDS: 'always' }),
  card('4000002500003155', 'visa', ['pm_card_authenticationRequiredOnSetup', 'tok_authenticationRequiredOnSetup'], {
    threeDS: 'on_session',
  }),
  card('4000003800000446', 'visa', ['pm_card_authenticationRequiredSetupForOffSession'], { threeDS: 'on_session' }),
  card('4000000000003220', 'visa', ['pm_card_threeDSecure2Required', 'tok_threeDSecure2Required'], { threeDS: 'always' }),
  card('4000000000003063', 'visa', ['pm_card_threeDSecureRequired', 'tok_threeDSecureRequired'], { threeDS: 'always' }),
  card('4000008400001629', 'visa', ['pm_card_authenticationRequiredChargeDeclinedInsufficientFunds'], {
    threeDS: 'always',
    decline: DECLINES.insufficient_funds,
  }),
];

const BY_NUMBER = new Map(TEST_CARDS.map((c) => [c.number, c]));
const BY_TOKEN = new Map(TEST_CARDS.flatMap((c) => c.tokens.map((t) => [t, c] as const)));

export function cardByToken(token: string): TestCard | undefined {
  return BY_TOKEN.get(token);
}

export function isTestToken(id: string): boolean {
  return BY_TOKEN.has(id);
}

/** The test card for a number, or a stand-in that declines as a live card would in test mode. */
export function cardByNumber(rawNumber: string): TestCard {
  const number = rawNumber.replace(/[\s-]/g, '');
  return BY_NUMBER.get(number) ?? card(number, brandOf(number), [], { decline: DECLINES.test_mode_live_card });
}

export function luhnValid(number: string): boolean {
  if (!/^\d{12,19}$/.test(number)) return false;
  let sum = 0;
  for (let i = 0; i < number.length; i++) {
    let digit = Number(number[number.length - 1 - i]);
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

function brandOf(number: string): CardBrand {
  if (number.startsWith('4')) return 'visa';
  if (/^(5[1-5]|2[2-7])/.test(number)) return 'mastercard';
  if (/^3[47]/.test(number)) return 'amex';
  if (/^6(011|5)/.test(number)) return 'discover';
  if (/^3(0|6|8)/.test(number)) return 'diners';
  if (number.startsWith('35')) return 'jcb';
  return 'unionpay';
}
