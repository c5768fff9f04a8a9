// The request log of `standin serve --verbose` (Fastify's pino logger). A client may put a secret in
// the query string (`?token=…`, `?api_key=…`) as readily as in a header: neither reaches the log.
import type { FastifyRequest, FastifyServerOptions } from 'fastify';

/** Query parameters whose name says they hold a credential. */
const SECRET_PARAM = /token|key|secret|passw|auth|signature|credential|session|cookie/i;
const REDACTED = '[REDACTED]';

export function httpLoggerOptions(): Exclude<FastifyServerOptions['logger'], boolean | undefined> {
  return {
    // The request serializer below never copies headers; this stays as a guard should one be logged.
    redact: ['req.headers.authorization', 'req.headers.cookie'],
    serializers: {
      // Fastify's own request serializer (lib/logger-pino.js), with the URL's credentials masked.
      req: (request: FastifyRequest) => ({
        method: request.method,
        url: redactUrl(request.url),
        version: String(request.headers['accept-version'] ?? '') || undefined,
        host: request.host,
        remoteAddress: request.ip,
        remotePort: request.socket?.remotePort,
      }),
    },
  };
}

/**
 * `url` with the value of every credential-like query parameter replaced by `[REDACTED]`; the rest
 * is kept exactly as sent, so the log still shows what was asked.
 */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q === -1) return url;
  const query = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      if (eq === -1) return pair;
      return SECRET_PARAM.test(decodedName(pair.slice(0, eq))) ? `${pair.slice(0, eq)}=${REDACTED}` : pair;
    })
    .join('&');
  return `${url.slice(0, q)}?${query}`;
}

function decodedName(name: string): string {
  try {
    return decodeURIComponent(name.replace(/\+/g, ' '));
  } catch {
    return name;
  }
}
