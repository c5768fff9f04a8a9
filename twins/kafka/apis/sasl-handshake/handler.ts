// SaslHandshake: picks the mechanism (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512) for SaslAuthenticate.
// @see https://kafka.apache.org/protocol.html#sasl_handshake
import { defineApi } from '../api.ts';
import { ERR } from '../../protocol/error-codes.ts';
import { saslHandshakeSpec, type SaslHandshakeRequest, type SaslHandshakeResponse } from './schema.ts';

export const saslHandshakeApi = defineApi<SaslHandshakeRequest, SaslHandshakeResponse>({
  spec: saslHandshakeSpec,
  handle(req, ctx) {
    const mechanisms = ctx.config.sasl?.mechanisms ?? [];
    if (!mechanisms.includes(req.mechanism)) return { errorCode: ERR.UNSUPPORTED_SASL_MECHANISM, mechanisms };
    ctx.connection.saslMechanism = req.mechanism;
    return { errorCode: ERR.NONE, mechanisms };
  },
  errorResponse: (_req, code, ctx) => ({ errorCode: code, mechanisms: ctx.config.sasl?.mechanisms ?? [] }),
});
