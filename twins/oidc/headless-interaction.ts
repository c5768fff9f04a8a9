// Login and consent without a browser. When the provider sends a user agent to
// /interaction/<uid>, the twin picks the user named by login_hint (by sub, username or email), or
// the configured default user, grants every scope and claim asked for, and redirects back to the
// provider, which then redirects to the client with the code. A request that accepts text/html
// and carries no login_hint is a person in a browser: it gets a page listing the users instead.
//
// oidc-provider ties an interaction to its cookies, and a plain `fetch` following redirects keeps
// no cookies. The CookieBridge remembers, per interaction uid, the cookies the provider set on the
// way into the interaction and hands them back on the requests that continue it (/interaction/<uid>
// and the resume at /auth/<uid>), only where the request does not carry its own. The uid is an
// unguessable id the provider put in the redirect, so holding it is what authorizes continuing.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { findUser, type ResolvedConfig, type UserConfig } from './config.ts';
import { escapeHtml, htmlPage } from './html-page.ts';
import type { ProviderHandle } from './provider-factory.ts';

const INTERACTION_PATH = /^\/interaction\/([A-Za-z0-9_-]+)(\/login)?$/;
const RESUME_PATH = /^\/auth\/([A-Za-z0-9_-]+)$/;
const MAX_JARS = 10_000;

interface Jar {
  cookies: Map<string, string>;
  expiresAt: number;
}

export class CookieBridge {
  private readonly jars = new Map<string, Jar>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number,
  ) {}

  /** Adds the remembered cookies of the interaction this request continues, if any. */
  inject(req: IncomingMessage, path: string): void {
    const uid = INTERACTION_PATH.exec(path)?.[1] ?? RESUME_PATH.exec(path)?.[1];
    const jar = uid === undefined ? undefined : this.jars.get(uid);
    if (!jar) return;
    const sent = parseCookieHeader(req.headers.cookie ?? '');
    const extra = [...jar.cookies].filter(([name]) => !sent.has(name)).map(([name, value]) => `${name}=${value}`);
    if (extra.length > 0) req.headers.cookie = [req.headers.cookie, ...extra].filter(Boolean).join('; ');
  }

  /** Remembers what a response into, inside or out of an interaction set. */
  capture(path: string, location: string | undefined, setCookie: string[]): void {
    const into = location === undefined ? undefined : INTERACTION_PATH.exec(pathOf(location))?.[1];
    const inside = INTERACTION_PATH.exec(path)?.[1];
    const resumed = RESUME_PATH.exec(path)?.[1];
    const uid = into ?? inside;
    if (uid === undefined) {
      if (resumed !== undefined) this.jars.delete(resumed);
      return;
    }
    const jar = this.jars.get(uid) ?? { cookies: new Map(resumed ? this.jars.get(resumed)?.cookies : undefined), expiresAt: 0 };
    if (resumed !== undefined && resumed !== uid) this.jars.delete(resumed);
    jar.expiresAt = this.now() + this.ttlMs;
    for (const line of setCookie) {
      const [pair = '', ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const cleared = value === '' || attributes.some((a) => /^\s*expires=Thu, 01 Jan 1970/i.test(a));
      if (cleared) jar.cookies.delete(name);
      else jar.cookies.set(name, value);
    }
    if (!this.jars.has(uid)) {
      this.sweep();
      this.jars.set(uid, jar);
    }
  }

  clear(): void {
    this.jars.clear();
  }

  private sweep(): void {
    const now = this.now();
    for (const [uid, jar] of this.jars) if (jar.expiresAt <= now) this.jars.delete(uid);
    // Past the cap, the oldest interactions (first inserted) give way.
    for (const uid of this.jars.keys()) {
      if (this.jars.size < MAX_JARS) break;
      this.jars.delete(uid);
    }
  }
}

export function isInteractionPath(path: string): boolean {
  return INTERACTION_PATH.test(path);
}

/** Serves /interaction/<uid> (GET: decide or show the page) and /interaction/<uid>/login (POST: the page's choice), paths within the issuer. */
export async function serveInteraction(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  /** The issuer's path ('' at /): the login page posts back under it. */
  base: string,
  provider: ProviderHandle,
  config: ResolvedConfig,
): Promise<void> {
  const [, uid, login] = INTERACTION_PATH.exec(path) ?? [];
  if (uid === undefined) return sendError(res, 404, 'invalid_request', 'no such interaction endpoint');
  let details;
  try {
    details = await provider.interactionDetails(req, res);
  } catch {
    return sendError(res, 400, 'invalid_request', 'interaction not found or expired; start again at the authorization endpoint');
  }
  if (login !== undefined) {
    if (req.method !== 'POST') return sendError(res, 405, 'invalid_request', 'use POST');
    const sub = new URLSearchParams(await readBody(req)).get('sub') ?? '';
    const user = config.users.find((u) => u.sub === sub);
    if (!user) return sendError(res, 400, 'invalid_request', `no user with sub ${sub}`);
    return provider.completeInteraction(req, res, user.sub);
  }
  if (req.method !== 'GET') return sendError(res, 405, 'invalid_request', 'use GET');
  if (details.prompt === 'consent' && details.accountId !== undefined) {
    return provider.completeInteraction(req, res, details.accountId);
  }
  if (details.loginHint !== undefined) {
    const user = findUser(config.users, details.loginHint);
    if (!user) return provider.failInteraction(req, res, 'access_denied', `no user matches login_hint ${details.loginHint}`);
    return provider.completeInteraction(req, res, user.sub);
  }
  const wantsPage = config.loginPage === 'browsers' && (req.headers.accept ?? '').includes('text/html');
  if (wantsPage) return sendLoginPage(res, `${base}/interaction/${uid}`, config.users, details.clientId);
  return provider.completeInteraction(req, res, config.defaultUser.sub);
}

function sendLoginPage(res: ServerResponse, interaction: string, users: readonly UserConfig[], clientId: string): void {
  const buttons = users
    .map((u) => {
      const label = [u.username ?? u.sub, u.claims?.email].filter(Boolean).join(' · ');
      return `<p><button type="submit" name="sub" value="${escapeHtml(u.sub)}">${escapeHtml(String(label))}</button></p>`;
    })
    .join('\n');
  const body = `<p>Sign in to <strong>${escapeHtml(clientId)}</strong> as:</p>
<form method="post" action="${escapeHtml(interaction)}/login">${buttons}</form>
<p><small>Standin test issuer: no password is checked. Agents skip this page with <code>login_hint</code>.</small></p>`;
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(htmlPage('Sign in', body));
}

function sendError(res: ServerResponse, status: number, error: string, description: string): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify({ error, error_description: description }));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 16 * 1024) break;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseCookieHeader(header: string): Set<string> {
  return new Set(
    header
      .split(';')
      .map((part) => part.slice(0, part.indexOf('=')).trim())
      .filter(Boolean),
  );
}

function pathOf(location: string): string {
  try {
    return new URL(location, 'http://x').pathname;
  } catch {
    return '';
  }
}
