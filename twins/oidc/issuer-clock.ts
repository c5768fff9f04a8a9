// The issuer's clock, which `set-clock` skews. oidc-provider reads time only through `Date.now()`
// (its epochTime helper, the iat/exp of every token, session and interaction), with no hook to
// inject a clock. So while a twin's request is inside the provider, `Date.now()` answers that
// twin's skewed time: a wrapper installed once consults an AsyncLocalStorage store that the twin's
// HTTP front enters around its provider call. Outside such a scope — every other twin, the control
// plane, timers — `Date.now()` is the real clock, and a twin with no skew never enters a scope.
import { AsyncLocalStorage } from 'node:async_hooks';

const scope = new AsyncLocalStorage<number>();
const realNow = Date.now.bind(Date);
let installed = false;

function install(): void {
  if (installed) return;
  installed = true;
  Date.now = () => {
    const skew = scope.getStore();
    return skew === undefined ? realNow() : realNow() + skew;
  };
}

export class IssuerClock {
  private skewMs = 0;

  /** Milliseconds the issuer's clock runs ahead of real time (negative: behind). */
  get skew(): number {
    return this.skewMs;
  }

  set(skewMs: number): void {
    this.skewMs = skewMs;
    if (skewMs !== 0) install();
  }

  /** The issuer's time in ms since the epoch. */
  now(): number {
    return realNow() + this.skewMs;
  }

  /** Runs `fn` (and everything it awaits) on the issuer's time. */
  run<T>(fn: () => T): T {
    return this.skewMs === 0 ? fn() : scope.run(this.skewMs, fn);
  }
}

/** The real time, unaffected by any twin's skew (for store expiry and timers). */
export const realClock = realNow;
