// A fault's `delay` on one request: the twin's FaultTimers hold the wait, so stopping the twin ends
// it, and the connection closing ends it too — nobody would read the answer, and the handler should
// not run for a client that gave up (as if the request were lost).
import type { RequestContext } from '../apis/api.ts';

/** Resolves true when the delay ran its course, false when the connection closed or the twin stopped. */
export function faultDelay(ctx: RequestContext, ms: number): Promise<boolean> {
  if (ctx.isClosed()) return Promise.resolve(false);
  return new Promise((resolve) => {
    const stopWatching = ctx.onClose(() => resolve(false));
    void ctx.faultTimers.delay(ms).then((ran) => {
      stopWatching();
      resolve(ran);
    });
  });
}
