// Corruptions of the authorization response, the redirect that carries the code back to the client:
// a `state` that is not the one the client sent (RFC 6749 §10.12, CSRF) or an `iss` naming another
// issuer (RFC 9207, mix-up). A headless authorization passes through an interaction first, so when
// the rule fires on /auth the redirect is still to come: RedirectCorruptions carries the corruption
// to the resume request (/auth/<uid>) of the same authorization.

export const REDIRECT_CORRUPTIONS = ['wrong-state', 'wrong-iss'] as const;
export type RedirectCorruption = (typeof REDIRECT_CORRUPTIONS)[number];

export function isRedirectCorruption(how: string): how is RedirectCorruption {
  return (REDIRECT_CORRUPTIONS as readonly string[]).includes(how);
}

const INTERACTION = /^\/interaction\/([A-Za-z0-9_-]+)$/;
const RESUME = /^\/auth\/([A-Za-z0-9_-]+)$/;
const MAX_PENDING = 1_000;

export interface CorruptedRedirect {
  /** The rewritten Location, when the redirect goes to the client. */
  location?: string;
  /** The interaction the authorization continues in, when it does not yet. */
  carryTo?: string;
}

/** Rewrites a redirect to the client; says where the authorization continues otherwise. */
export function corruptRedirect(location: string, how: RedirectCorruption, issuer: string, junk: string): CorruptedRedirect {
  let url: URL;
  try {
    url = new URL(location, issuer);
  } catch {
    return {};
  }
  const base = new URL(issuer);
  if (url.origin === base.origin) {
    // Interactions live under the issuer's path (/tenants/acme/interaction/<uid>).
    const mount = base.pathname.replace(/\/$/, '');
    const uid = INTERACTION.exec(url.pathname.startsWith(`${mount}/`) ? url.pathname.slice(mount.length) : url.pathname)?.[1];
    return uid === undefined ? {} : { carryTo: uid };
  }
  const params = url.searchParams;
  if (!params.has('code') && !params.has('error')) return {};
  if (how === 'wrong-state') params.set('state', `${params.get('state') ?? ''}${junk}`);
  else params.set('iss', `${issuer}/not-this-issuer`);
  return { location: url.href };
}

/** Corruptions waiting for the resume of their authorization, by interaction uid. */
export class RedirectCorruptions {
  private readonly pending = new Map<string, { how: RedirectCorruption; junk: string }>();

  carry(uid: string, how: RedirectCorruption, junk: string): void {
    if (this.pending.size >= MAX_PENDING) this.pending.delete(this.pending.keys().next().value as string);
    this.pending.set(uid, { how, junk });
  }

  /** The corruption waiting for this request's path, taken out of the list. */
  take(path: string): { how: RedirectCorruption; junk: string } | undefined {
    const uid = RESUME.exec(path)?.[1];
    if (uid === undefined) return undefined;
    const found = this.pending.get(uid);
    this.pending.delete(uid);
    return found;
  }

  clear(): void {
    this.pending.clear();
  }
}
