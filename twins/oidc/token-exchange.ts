// The token exchange grant (RFC 8693) on the provider's custom grant API. node-oidc-provider ships
// no exchange of its own ("a framework that needs to be profiled"), so this file is the profile:
//
// - subject_token: an access token this issuer issued to a user (opaque, as the provider issues
//   them, or a JWT minted by `mint-token`), an ID token, or any JWT this issuer signed
//   (token types access_token, id_token, jwt). Its `sub` must be a user of this issuer.
// - actor_token (optional): the same kinds, plus a client_credentials token (its client is the
//   actor); the new token says who acts in `act` (§4.1), visible on introspection.
// - scope narrows the subject token's scope, never widens it; audience sets `aud` (§2.1).
// - requested_token_type: access_token only; the answer carries issued_token_type (§2.2.1).
//
// The new token is an access token of the requesting client, for the subject, with a grant of its
// own, so userinfo, introspection and revocation treat it as any other. DPoP binding, the client's
// scope allow-list and the response shape go through the provider's own grant helpers (the ones its
// built-in grants use; oidc-provider exposes them only inside its package, hence the deep import).
import { createLocalJWKSet, jwtVerify, type JWK } from 'jose';
import type * as OidcProviderModule from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import { TOKEN_EXCHANGE_GRANT } from './config.ts';

type ProviderInstance = InstanceType<typeof OidcProviderModule.default>;
type Errors = typeof OidcProviderModule.errors;

export const TOKEN_TYPES = {
  access_token: 'urn:ietf:params:oauth:token-type:access_token',
  id_token: 'urn:ietf:params:oauth:token-type:id_token',
  jwt: 'urn:ietf:params:oauth:token-type:jwt',
} as const;

const PARAMETERS = ['subject_token', 'subject_token_type', 'actor_token', 'actor_token_type', 'requested_token_type', 'audience', 'scope'];

/** The provider's grant helpers this grant uses, bound to a provider (oidc-provider lib/helpers/grants.js). */
interface GrantHelpers {
  validateDpop(ctx: KoaContextWithOIDC): Promise<{ thumbprint: string; jti: string } | undefined>;
  checkDpopReplay(ctx: KoaContextWithOIDC, dPoP: unknown, clientId: string): Promise<void>;
  checkDpopRequired(ctx: KoaContextWithOIDC, dPoP: unknown): void;
  validateClientScope(ctx: KoaContextWithOIDC, scopes: Set<string>): Set<string>;
  buildTokenResponse(response: {
    accessToken: string;
    expiresIn: number | undefined;
    scope: string | undefined;
    tokenType: string;
    issuedTokenType: string;
  }): Record<string, unknown>;
}

type HelperModule = Record<keyof GrantHelpers, (provider: ProviderInstance, ...args: never[]) => unknown>;
let helpers: Promise<HelperModule> | undefined;

/** Imports the provider's grant helpers once per process. */
export function loadGrantHelpers(): Promise<HelperModule> {
  // A variable specifier: the package publishes no types for its internals.
  const specifier = 'oidc-provider/lib/helpers/grants.js';
  helpers ??= import(specifier) as Promise<HelperModule>;
  return helpers;
}

/** Who a token speaks for, and what it may do. */
interface TokenSubject {
  sub: string;
  /** Undefined when the token carries no scope (an ID token). */
  scope: Set<string> | undefined;
}

export interface TokenExchangeOptions {
  errors: Errors;
  helpers: HelperModule;
  issuer: string;
  /** The issuer's public keys: JWT subject tokens must verify against them. */
  publicJwks: JWK[];
  isUser(sub: string): boolean;
}

/** Registers the grant on `provider`. */
export function registerTokenExchange(provider: ProviderInstance, options: TokenExchangeOptions): void {
  const bound = Object.fromEntries(
    Object.entries(options.helpers).map(([name, helper]) => [name, (helper as (...args: unknown[]) => unknown).bind(undefined, provider)]),
  ) as unknown as GrantHelpers;
  const keys = createLocalJWKSet({ keys: options.publicJwks });
  const { InvalidRequest, InvalidGrant, InvalidScope } = options.errors;

  const verifyJwt = async (token: string, field: string): Promise<TokenSubject> => {
    try {
      // The issuer's clock, which set-clock skews: oidc-provider's own checks read Date.now() too.
      const { payload } = await jwtVerify(token, keys, { issuer: options.issuer, clockTolerance: 5, currentDate: new Date(Date.now()) });
      if (typeof payload.sub !== 'string') throw new Error('no sub claim');
      return { sub: payload.sub, scope: typeof payload.scope === 'string' ? new Set(payload.scope.split(' ')) : undefined };
    } catch (error) {
      throw new InvalidGrant(`${field} is not a valid JWT of this issuer (${error instanceof Error ? error.message : String(error)})`);
    }
  };

  const resolve = async (token: string, type: string, field: 'subject_token' | 'actor_token'): Promise<TokenSubject> => {
    switch (type) {
      case TOKEN_TYPES.access_token: {
        const access = await provider.AccessToken.find(token);
        if (access?.isValid && access.accountId) return { sub: access.accountId, scope: new Set((access.scope ?? '').split(' ').filter(Boolean)) };
        const service = await provider.ClientCredentials.find(token);
        if (service?.isValid && service.clientId) {
          if (field === 'subject_token') throw new InvalidGrant('subject_token is a client_credentials token: it names no user to act for');
          return { sub: service.clientId, scope: undefined };
        }
        if (token.split('.').length === 3) return verifyJwt(token, field);
        throw new InvalidGrant(`${field} is not an active access token of this issuer`);
      }
      case TOKEN_TYPES.id_token:
      case TOKEN_TYPES.jwt:
        return verifyJwt(token, field);
      default:
        throw new InvalidRequest(`${field}_type ${type} is not supported; use one of ${Object.values(TOKEN_TYPES).join(', ')}`);
    }
  };

  provider.registerGrantType(
    TOKEN_EXCHANGE_GRANT,
    async (ctx) => {
      const params = ctx.oidc.params as Record<string, string | undefined>;
      const { client } = ctx.oidc;
      if (!client) throw new InvalidRequest('client not identified');
      const { subject_token: subjectToken, subject_token_type: subjectType, actor_token: actorToken, actor_token_type: actorType } = params;
      if (!subjectToken || !subjectType) throw new InvalidRequest('missing required parameter(s) subject_token, subject_token_type');
      if ((actorToken === undefined) !== (actorType === undefined)) {
        throw new InvalidRequest('actor_token and actor_token_type go together (RFC 8693 §2.1)');
      }
      if (params.requested_token_type !== undefined && params.requested_token_type !== TOKEN_TYPES.access_token) {
        throw new InvalidRequest(`requested_token_type ${params.requested_token_type} is not supported; this issuer exchanges for ${TOKEN_TYPES.access_token}`);
      }

      const subject = await resolve(subjectToken, subjectType, 'subject_token');
      if (!options.isUser(subject.sub)) throw new InvalidGrant(`subject_token names no user of this issuer (sub ${subject.sub})`);
      const actor = actorToken && actorType ? await resolve(actorToken, actorType, 'actor_token') : undefined;

      const requested = new Set((params.scope ?? '').split(' ').filter(Boolean));
      const scope = requested.size > 0 ? requested : (subject.scope ?? new Set(['openid']));
      if (subject.scope) {
        const beyond = [...scope].filter((s) => !subject.scope?.has(s));
        if (beyond.length > 0) throw new InvalidScope(`scope beyond the subject_token's: ${beyond.join(' ')}`, beyond.join(' '));
      }
      bound.validateClientScope(ctx, scope);

      const dPoP = await bound.validateDpop(ctx);
      const grant = new provider.Grant({ accountId: subject.sub, clientId: client.clientId });
      grant.addOIDCScope([...scope]);
      const token = new provider.AccessToken({
        accountId: subject.sub,
        client,
        grantId: await grant.save(),
        gty: TOKEN_EXCHANGE_GRANT,
        scope: [...scope].join(' '),
      });
      if (params.audience) token.setAudience(params.audience);
      if (actor) token.extra = { act: { sub: actor.sub } };
      if (dPoP) {
        await bound.checkDpopReplay(ctx, dPoP, client.clientId);
        token.setThumbprint('jkt', dPoP.thumbprint);
      }
      bound.checkDpopRequired(ctx, dPoP);

      ctx.oidc.entity('AccessToken', token);
      const value = await token.save();
      ctx.body = bound.buildTokenResponse({
        accessToken: value,
        expiresIn: token.expiration,
        scope: token.scope,
        tokenType: token.tokenType,
        issuedTokenType: TOKEN_TYPES.access_token,
      });
    },
    PARAMETERS,
  );
}
