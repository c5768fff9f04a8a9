// This process's open file descriptors, for tests that prove a lifecycle leaks none.
import { readdirSync } from 'node:fs';

export const openFds = (): number => readdirSync('/proc/self/fd').length;

/** The fd count once it has fallen to `target` (sockets close asynchronously), or what it is after `ms`. */
export async function settledFds(target: number, ms = 5000): Promise<number> {
  const deadline = Date.now() + ms;
  let n = openFds();
  while (n > target && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    n = openFds();
  }
  return n;
}
