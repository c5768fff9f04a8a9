// Retry with exponential backoff, for the calls the checkout service makes over the network.
export async function withRetry<T>(
  what: string,
  attempt: (n: number) => Promise<T>,
  options: { attempts: number; baseDelayMs: number; retryable: (error: unknown) => boolean },
): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (error) {
      if (n >= options.attempts || !options.retryable(error)) throw error;
      const delay = options.baseDelayMs * 2 ** (n - 1);
      console.error(`${what} failed (${(error as Error).message}); retry ${n} in ${delay} ms`);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}
