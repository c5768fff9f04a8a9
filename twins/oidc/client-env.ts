// The env vars an oidc twin exports for its clients. NAME is a client_id upper-cased with every run
// of other characters turned into `_` (standin-client → STANDIN_CLIENT); public clients have no secret.
import type { ResolvedConfig } from './config.ts';

/**
 * <prefix>CLIENT_ID / <prefix>CLIENT_SECRET for the first client, and for every client
 * <prefix>CLIENT_<NAME>_ID / <prefix>CLIENT_<NAME>_SECRET. The prefix is OIDC_ for the issuer at /,
 * OIDC_<ISSUER>_ for the others.
 */
export function clientEnv(config: ResolvedConfig, prefix: string): Record<string, string> {
  const env: Record<string, string> = {};
  config.clients.forEach((client, i) => {
    const name = client.client_id.toUpperCase().replace(/[^A-Z0-9]+/g, '_').replace(/^_|_$/g, '');
    const pairs: Array<[string, string | undefined]> = [
      [`${prefix}CLIENT_${name}_ID`, client.client_id],
      [`${prefix}CLIENT_${name}_SECRET`, client.client_secret],
    ];
    if (i === 0) pairs.unshift([`${prefix}CLIENT_ID`, client.client_id], [`${prefix}CLIENT_SECRET`, client.client_secret]);
    for (const [key, value] of pairs) if (value !== undefined) env[key] = value;
  });
  return env;
}
