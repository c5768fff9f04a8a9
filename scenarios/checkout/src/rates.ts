// The exchange-rate API (a third-party HTTP service): GET /rates/:currency → {currency, rate}.
// A slow or failing API is retried with backoff; an answer that is not a sane rate is bad data.
import { withRetry } from './retry.ts';

export class BadRateData extends Error {}

export async function eurRate(baseUrl: string, currency: string): Promise<number> {
  if (currency === 'EUR') return 1;
  return withRetry(
    `GET /rates/${currency}`,
    async () => {
      const response = await fetch(`${baseUrl}/rates/${currency}`, { signal: AbortSignal.timeout(1000) });
      if (response.status >= 500) throw new Error(`rates API answered ${response.status}`);
      if (!response.ok) throw new BadRateData(`rates API answered ${response.status}`);
      let body: unknown;
      try {
        body = await response.json();
      } catch {
        throw new BadRateData('rates API answered malformed JSON');
      }
      const rate = (body as { rate?: unknown }).rate;
      if (typeof rate !== 'number' || !(rate > 0) || !Number.isFinite(rate)) throw new BadRateData(`rates API answered rate ${JSON.stringify(rate)}`);
      return rate;
    },
    { attempts: 4, baseDelayMs: 150, retryable: (error) => !(error instanceof BadRateData) },
  );
}
