// The provider of the moment. node-oidc-provider fixes its keys at construction, so every key
// change (rotation, a retired key leaving, reset) builds a new Provider over the same token store
// and swaps it in between requests; requests already inside the old one finish there. Rebuilds run
// one at a time so a slow build never publishes a stale key set after a newer one.
import { longTimeout, type LongTimer } from '../../src/core/index.ts';
import type { SigningKey } from './key-ring.ts';
import { KeyRing } from './key-ring.ts';
import { realClock } from './issuer-clock.ts';
import type { ProviderHandle } from './provider-factory.ts';

export class ProviderSlot {
  readonly keys: KeyRing;
  private provider: ProviderHandle | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private retireTimer: LongTimer | undefined;

  constructor(
    firstKey: SigningKey,
    rs256: SigningKey | undefined,
    private readonly build: (keys: SigningKey[]) => Promise<ProviderHandle>,
    private readonly onRetired: (kids: string[]) => void,
    private readonly onError: (error: unknown) => void,
  ) {
    this.keys = new KeyRing(firstKey, rs256);
  }

  get current(): ProviderHandle {
    if (!this.provider) throw new Error('oidc provider not built yet');
    return this.provider;
  }

  /** Applies a change to the keys (or anything the build reads) and swaps in a provider built after it. */
  rebuild(change: () => void = () => {}): Promise<void> {
    const next = this.queue.then(async () => {
      change();
      this.provider = await this.build(this.keys.signingKeys());
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Rotates to `next` (with `rs256` when the ring needs one); the old key leaves the JWKS after `graceSeconds`. */
  async rotate(next: SigningKey, graceSeconds: number, rs256?: SigningKey): Promise<{ previous: SigningKey; retiresAt: number }> {
    const retiresAt = realClock() + graceSeconds * 1000;
    let previous = this.keys.active;
    await this.rebuild(() => {
      if (rs256) this.keys.setRs256(rs256);
      previous = this.keys.rotate(next, retiresAt);
      this.keys.expire(realClock());
    });
    this.scheduleRetirement();
    return { previous, retiresAt };
  }

  /** Back to one key, as configured. */
  restore(firstKey: SigningKey, alsoReset: () => void): Promise<void> {
    this.retireTimer?.cancel();
    return this.rebuild(() => {
      alsoReset();
      this.keys.restore(firstKey);
    });
  }

  stop(): void {
    this.retireTimer?.cancel();
  }

  private scheduleRetirement(): void {
    this.retireTimer?.cancel();
    const at = this.keys.nextRetirement();
    if (at === undefined) return;
    this.retireTimer = longTimeout(() => {
      this.rebuild(() => this.keys.expire(realClock()))
        .then(() => {
          this.onRetired(this.keys.signingKeys().map((k) => k.kid));
          this.scheduleRetirement();
        })
        .catch(this.onError);
    }, at - realClock());
    // A pending retirement must not keep the process alive.
    this.retireTimer.unref();
  }
}
