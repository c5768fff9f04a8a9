// Test clocks: simulated time for the customers attached to them. A clock's customers, and their
// subscriptions, invoices and payments, live at its frozen_time; advancing it runs what billing
// would do in between (billing-clock.ts). Deleting it deletes those objects, as Stripe does.
// The twin advances within the request: the answer shows the clock `advancing` (as Stripe answers),
// every later read sees it `ready`, and the events come in order: test_clock.advancing, what
// billing did, test_clock.ready. Stripe deletes a clock 30 days after creation; the twin keeps it.
// @see https://docs.stripe.com/api/test_clocks and https://docs.stripe.com/billing/testing/test-clocks
import { invalidRequest, unexpectedState } from '../errors.ts';
import { LIST_PARAMS, listOptions } from '../lists.ts';
import { requireInt, str, type Params } from '../params.ts';
import type { Route } from '../router.ts';
import type { ApiCall, StripeState } from '../state.ts';
import type { Customer, TestClock } from '../stripe-objects.ts';

const DAY = 86_400;
/** Stripe deletes a test clock this long after creating it (deletes_after). */
const LIFETIME_SECONDS = 30 * DAY;

/** 9999-12-31T23:59:59Z: calendar arithmetic on later times would leave what dates can hold. */
const LATEST_TIME = 253_402_300_799;

/** Runs `advance` to `target`; the billing that happens in between is billing-clock.ts's. */
export type AdvanceClock = (state: StripeState, clock: TestClock, target: number, call: ApiCall) => void;

/** The frozen_time of the customer's test clock, or null for a customer on real time. */
function clockTimeOf(state: StripeState, customerId: string): number | null {
  const clockId = state.customers.get(customerId)?.test_clock;
  return clockId ? (state.testClocks.get(clockId)?.frozen_time ?? null) : null;
}

/** Runs `work` at the customer's time: its test clock's frozen_time, or now. */
export function atCustomerTime<T>(state: StripeState, customerId: string, work: () => T): T {
  return state.atTime(clockTimeOf(state, customerId), work);
}

/** The frozen_time of the clock a `test_clock` parameter names, if it names one. */
export function clockTime(state: StripeState, p: Params): number | null {
  const id = str(p, 'test_clock');
  return (id === undefined ? undefined : state.testClocks.get(id)?.frozen_time) ?? null;
}

/** The clock a `test_clock` parameter names (404 naming the parameter when there is none). */
export function requireClock(state: StripeState, id: string): TestClock {
  return state.testClocks.require(id, 'test_clock');
}

export function customersOf(state: StripeState, clock: TestClock): Customer[] {
  return state.customers.all().filter((c) => c.test_clock === clock.id);
}

function createClock(state: StripeState, call: ApiCall): TestClock {
  const p = call.params;
  const frozenTime = requireInt(p, 'frozen_time');
  if (frozenTime < 0 || frozenTime > LATEST_TIME) throw invalidRequest(`Invalid frozen_time: ${frozenTime} must be a Unix timestamp before the year 10000.`, 'frozen_time');
  const customerId = str(p, 'customer');
  const customer = customerId === undefined ? undefined : state.customers.require(customerId, 'customer');
  if (customer?.test_clock) throw invalidRequest(`The customer ${customer.id} is already attached to a test clock.`, 'customer');
  const created = state.now();
  const clock: TestClock = {
    id: state.ids.next('clock'),
    object: 'test_helpers.test_clock',
    created,
    deletes_after: created + LIFETIME_SECONDS,
    frozen_time: frozenTime,
    livemode: false,
    name: str(p, 'name') ?? null,
    status: 'ready',
    status_details: {},
  };
  state.testClocks.insert(clock);
  if (customer) customer.test_clock = clock.id;
  // A clock's own events are at its time too.
  state.atTime(frozenTime, () => state.emit('test_helpers.test_clock.created', clock, call));
  return clock;
}

/**
 * Stripe's bound on one advance: two intervals of the clock's shortest subscription, or two years
 * without subscriptions. It also bounds the work one request can ask of the twin.
 */
function latestTarget(state: StripeState, clock: TestClock): number {
  const customers = new Set(customersOf(state, clock).map((c) => c.id));
  let shortest: number | undefined;
  for (const sub of state.subscriptions.all()) {
    if (!customers.has(sub.customer) || sub.status === 'canceled' || sub.status === 'incomplete_expired') continue;
    for (const item of sub.items.data) {
      const recurring = item.price.recurring;
      if (!recurring) continue;
      const seconds = intervalSeconds(recurring.interval, recurring.interval_count);
      if (shortest === undefined || seconds < shortest) shortest = seconds;
    }
  }
  return clock.frozen_time + (shortest === undefined ? 2 * 365 * DAY : 2 * shortest);
}

function intervalSeconds(interval: string, count: number): number {
  const days: Record<string, number> = { day: 1, week: 7, month: 31, year: 366 };
  return (days[interval] ?? 1) * count * DAY;
}

function advance(state: StripeState, clock: TestClock, call: ApiCall, run: AdvanceClock): TestClock {
  state.touch(clock);
  const target = requireInt(call.params, 'frozen_time');
  if (clock.status !== 'ready') throw unexpectedState(`The test clock ${clock.id} is ${clock.status}; it can be advanced once it is ready.`, 'test_clock_advancing');
  if (target <= clock.frozen_time) {
    throw invalidRequest(`The frozen_time must be after the test clock's current frozen_time (${clock.frozen_time}).`, 'frozen_time');
  }
  const latest = latestTarget(state, clock);
  if (target > latest) {
    throw invalidRequest(
      `The frozen_time ${target} is too far ahead: a test clock advances at most two intervals of its shortest subscription (or two years without one) at a time, here up to ${latest}.`,
      'frozen_time',
    );
  }
  clock.status = 'advancing';
  clock.status_details = { advancing: { target_frozen_time: target } };
  state.atTime(clock.frozen_time, () => state.emit('test_helpers.test_clock.advancing', clock, call));
  const answer: TestClock = JSON.parse(JSON.stringify(clock)) as TestClock;
  try {
    run(state, clock, target, call);
    state.touch(clock);
    clock.frozen_time = target;
    clock.status = 'ready';
    clock.status_details = {};
    state.atTime(target, () => state.emit('test_helpers.test_clock.ready', clock, call));
  } catch (error) {
    state.touch(clock);
    clock.status = 'internal_failure';
    state.atTime(clock.frozen_time, () => state.emit('test_helpers.test_clock.internal_failure', clock, call));
    throw error;
  }
  return answer;
}

/** Deletes the clock and everything of its customers, as Stripe does. */
function deleteClock(state: StripeState, clock: TestClock, call: ApiCall): object {
  state.touch(clock);
  const customers = new Set(customersOf(state, clock).map((c) => c.id));
  const owned = (o: { customer: string }): boolean => customers.has(o.customer);
  for (const sub of state.subscriptions.all().filter(owned)) state.subscriptions.delete(sub.id);
  for (const invoice of state.invoices.all().filter(owned)) {
    state.invoices.delete(invoice.id);
    state.invoicePayments.delete(invoice.id);
  }
  for (const item of state.invoiceItems.all().filter(owned)) state.invoiceItems.delete(item.id);
  for (const pm of state.paymentMethods.all()) if (pm.customer !== null && customers.has(pm.customer)) pm.customer = null;
  for (const id of customers) {
    state.customers.delete(id);
    state.deleted.set(id, 'customer');
  }
  state.testClocks.delete(clock.id);
  state.atTime(clock.frozen_time, () => state.emit('test_helpers.test_clock.deleted', clock, call));
  return { id: clock.id, object: 'test_helpers.test_clock', deleted: true };
}

export function testClockRoutes(run: AdvanceClock): Route[] {
  const byId = (state: StripeState, call: ApiCall): TestClock => state.testClocks.require(call.pathParams.id, 'test_clock');
  return [
    {
      method: 'POST',
      path: '/v1/test_helpers/test_clocks',
      params: { frozen_time: 'integer', name: 'string', customer: 'string' },
      handle: (call, state) => createClock(state, call),
    },
    { method: 'GET', path: '/v1/test_helpers/test_clocks/:id', params: {}, handle: (call, state) => byId(state, call) },
    {
      method: 'GET',
      path: '/v1/test_helpers/test_clocks',
      params: { ...LIST_PARAMS },
      handle: ({ params }, state) => state.testClocks.list('/v1/test_helpers/test_clocks', listOptions(params)),
    },
    {
      method: 'POST',
      path: '/v1/test_helpers/test_clocks/:id/advance',
      params: { frozen_time: 'integer' },
      handle: (call, state) => advance(state, byId(state, call), call, run),
    },
    { method: 'DELETE', path: '/v1/test_helpers/test_clocks/:id', params: {}, handle: (call, state) => deleteClock(state, byId(state, call), call) },
  ];
}
