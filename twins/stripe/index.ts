// The `stripe` twin kind: a stateful stand-in for Stripe's core API that the official stripe
// client uses unchanged (`new Stripe(key, {host, port, protocol: 'http'})`), with Stripe's test
// cards, idempotency, signed webhooks and payment faults.
import { Type } from '@sinclair/typebox';
import { StandinError, defineTwinKind, hostPort, listenHttpLinked, type RunningTwin, type TwinContext } from '../../src/core/index.ts';
import { ApiServer } from './api-server.ts';
import { DEFAULT_API_VERSION, StripeConfigSchema, type StripeConfig } from './config.ts';
import { StripeApiError } from './errors.ts';
import { stripePoints } from './faults.ts';
import { secretText } from './ids.ts';
import type { Params } from './params.ts';
import { balanceRoutes } from './resources/balance.ts';
import { checkoutSessionRoutes } from './resources/checkout-sessions.ts';
import { disputeRoutes } from './resources/disputes.ts';
import { CompleteCheckoutParamsSchema, completeCheckout, SettleCheckoutParamsSchema, settleCheckoutSession } from './checkout-payment.ts';
import { chargeRoutes, legacyChargeRoute } from './resources/charges.ts';
import { createCustomer, customerRoutes } from './resources/customers.ts';
import { authenticatePaymentIntent, paymentIntentRoutes } from './resources/payment-intents.ts';
import { paymentMethodRoutes } from './resources/payment-methods.ts';
import { createPrice, createProduct, productRoutes } from './resources/products.ts';
import { refundRoutes } from './resources/refunds.ts';
import { subscriptionRoutes } from './resources/subscriptions.ts';
import { testClockRoutes } from './resources/test-clocks.ts';
import { invoiceItemRoutes } from './resources/invoice-items.ts';
import { billingClock } from './billing-clock.ts';
import { authenticateSetupIntent, setupIntentRoutes } from './resources/setup-intents.ts';
import { createWebhookEndpoint, webhookEndpointRoutes } from './resources/webhook-endpoints.ts';
import { Router } from './router.ts';
import { searchRoutes } from './search.ts';
import { StripeState } from './state.ts';
import { trigger, TriggerParamsSchema } from './trigger.ts';
import { WebhookDispatcher } from './webhooks/delivery.ts';
import { inspectState } from './inspect.ts';
import { stripeExpectation } from './expectations.ts';
import { stripeExplore } from './explore.ts';

export { StripeConfigSchema, type StripeConfig } from './config.ts';

const stripeActions = {
  trigger: { description: 'emit an event by running the flow behind it (like `stripe trigger`)', params: TriggerParamsSchema },
  authenticate: {
    description: 'complete or fail the 3D Secure challenge of a PaymentIntent or SetupIntent in requires_action',
    params: Type.Object(
      { intent: Type.String({ description: 'pi_… or seti_…' }), outcome: Type.Optional(Type.Union([Type.Literal('succeed'), Type.Literal('fail')])) },
      { additionalProperties: false },
    ),
  },
  flush: { description: 'wait until every pending webhook delivery has succeeded or given up', params: Type.Object({}, { additionalProperties: false }) },
  complete_checkout: { description: 'pay a Checkout Session as its hosted page would, with a test card (success, decline, 3D Secure)', params: CompleteCheckoutParamsSchema },
  settle_checkout: { description: 'end the delayed payment of a Checkout Session completed with delayed: true', params: SettleCheckoutParamsSchema },
};

export const stripeTwin = defineTwinKind({
  kind: 'stripe',
  description: "Stateful Stripe API (customers, payment methods, intents, charges, refunds, products, prices, setup intents, subscriptions, invoices, test clocks, Checkout Sessions, disputes, webhooks) for the official stripe client",
  configSchema: StripeConfigSchema,
  points: stripePoints,
  expectations: [stripeExpectation],
  explore: stripeExplore,
  actions: stripeActions,
  start: startStripe,
});

async function startStripe(config: StripeConfig, ctx: TwinContext): Promise<RunningTwin<typeof stripeActions>> {
  const secretKey = config.secretKey ?? `sk_test_${secretText(24)}`;
  const webhookSecret = config.webhookSecret ?? `whsec_${secretText(32)}`;
  const apiVersion = config.apiVersion ?? DEFAULT_API_VERSION;
  const state = new StripeState(ctx, apiVersion);
  const router = new Router([
    ...customerRoutes,
    ...paymentMethodRoutes,
    ...paymentIntentRoutes,
    ...chargeRoutes,
    legacyChargeRoute,
    ...refundRoutes,
    ...balanceRoutes,
    ...productRoutes,
    ...setupIntentRoutes,
    ...webhookEndpointRoutes(webhookSecret),
    ...subscriptionRoutes(state),
    ...invoiceItemRoutes,
    ...testClockRoutes(billingClock({ afterLastRetry: config.failedPayments?.afterLastRetry ?? 'cancel' })),
    ...checkoutSessionRoutes(state),
    ...disputeRoutes(state),
    ...searchRoutes,
  ]);
  const api = new ApiServer(state, ctx, router, { secretKey, apiVersion });
  const retry = config.webhookRetry ?? {};
  const webhooks = new WebhookDispatcher(state, ctx, webhookSecret, {
    maxAttempts: retry.maxAttempts ?? 5,
    initialDelayMs: retry.initialDelayMs ?? 1000,
    maxDelayMs: retry.maxDelayMs ?? 30_000,
    timeoutMs: retry.timeoutMs ?? 10_000,
  });

  /** Config objects, created as if through the API, so ids follow from the seed. */
  const seed = (): void => {
    (config.webhooks ?? []).forEach((hook, i) =>
      fromConfig(`webhooks[${i}]`, () =>
        createWebhookEndpoint(state, { url: hook.url, enabled_events: hook.enabled_events ?? ['*'], ...(hook.description ? { description: hook.description } : {}) }, webhookSecret),
      ),
    );
    (config.fixtures?.customers ?? []).forEach((c, i) => fromConfig(`fixtures.customers[${i}]`, () => createCustomer(state, c as Params, null)));
    (config.fixtures?.products ?? []).forEach((p, i) => fromConfig(`fixtures.products[${i}]`, () => createProduct(state, p as Params, null)));
    (config.fixtures?.prices ?? []).forEach((p, i) => fromConfig(`fixtures.prices[${i}]`, () => createPrice(state, p as Params, null)));
  };
  /** An object the API would refuse is a mistake in the twin's config: a 400 naming the field. */
  const fromConfig = (field: string, create: () => unknown): void => {
    try {
      create();
    } catch (error) {
      const param = error instanceof StripeApiError && error.fields.param ? `.${error.fields.param}` : '';
      throw new StandinError('STANDIN_ERR_TWIN_CONFIG_INVALID', { twin: ctx.name, path: `.${field}${param}`, detail: (error as Error).message });
    }
  };
  seed();

  const link = await listenHttpLinked(ctx, api.http, { port: config.port, host: config.host });
  const url = `http://${hostPort(ctx.advertisedHost, link.port)}`;
  api.setBaseUrl(url);
  ctx.log.info('stripe twin listening', { url });

  return {
    endpoints: { url },
    env: {
      STRIPE_API_BASE: url,
      STRIPE_HOST: ctx.advertisedHost,
      STRIPE_PORT: String(link.port),
      STRIPE_PROTOCOL: 'http',
      STRIPE_SECRET_KEY: secretKey,
      STRIPE_WEBHOOK_SECRET: webhookSecret,
    },
    inspect: async (query) => inspectState(state, webhooks, query ?? {}),
    actions: {
      trigger: async (params) => {
        state.checkRoom(ctx.limits.stripeObjects);
        return trigger(state, params.event, params.object);
      },
      authenticate: async (params) => {
        const id = params.intent;
        const succeed = params.outcome !== 'fail';
        if (id.startsWith('seti_')) return authenticateSetupIntent(state, state.setupIntents.require(id, 'intent'), succeed);
        return authenticatePaymentIntent(state, state.paymentIntents.require(id, 'intent'), succeed);
      },
      complete_checkout: async (params) => completeCheckout(state, params),
      settle_checkout: async (params) => settleCheckoutSession(state, params.session, params.outcome === 'succeeded'),
      flush: async () => {
        await webhooks.idle();
        return { deliveries: webhooks.deliveries.length };
      },
    },
    reset: async () => {
      webhooks.clear();
      api.reset();
      state.clear();
      seed();
    },
    stop: async () => {
      webhooks.clear();
      api.timers.stop();
      await link.close();
      api.http.closeAllConnections();
    },
  };
}
