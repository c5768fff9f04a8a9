// SaslAuthenticate: PLAIN (one round: authzid NUL user NUL password) or SCRAM (two rounds) against
// the twin's configured users. A failure answers SASL_AUTHENTICATION_FAILED; the connection closes.
// @see https://kafka.apache.org/protocol.html#sasl_handshake
import { defineApi } from '../api.ts';
import { ERR } from '../../protocol/error-codes.ts';
import { scramFinal, scramFirst, type ScramState } from '../../sasl/scram.ts';
import { saslAuthenticateSpec, type SaslAuthenticateRequest, type SaslAuthenticateResponse } from './schema.ts';

const failed = (message: string): SaslAuthenticateResponse => ({ errorCode: ERR.SASL_AUTHENTICATION_FAILED, errorMessage: message, authBytes: Buffer.alloc(0), sessionLifetimeMs: 0 });

export const saslAuthenticateApi = defineApi<SaslAuthenticateRequest, SaslAuthenticateResponse>({
  spec: saslAuthenticateSpec,
  handle(req, ctx) {
    const users = ctx.config.sasl?.users ?? {};
    const mechanism = ctx.connection.saslMechanism;
    const ok = (authBytes = Buffer.alloc(0)): SaslAuthenticateResponse => ({ errorCode: ERR.NONE, errorMessage: null, authBytes, sessionLifetimeMs: 0 });
    if (mechanism === 'PLAIN') {
      const [, user = '', password] = req.authBytes.toString('utf8').split('\u0000');
      if (users[user] === undefined || users[user] !== password) return failed(`Authentication failed: invalid credentials for user ${user}`);
      ctx.connection.authenticated = true;
      ctx.connection.principal = `User:${user}`;
      return ok();
    }
    if (mechanism === 'SCRAM-SHA-256' || mechanism === 'SCRAM-SHA-512') {
      const hash = mechanism === 'SCRAM-SHA-256' ? 'sha256' : 'sha512';
      const state = ctx.connection.scram as ScramState | undefined;
      if (!state) {
        const first = scramFirst(req.authBytes.toString('utf8'));
        if (!first) return failed('Authentication failed: bad SCRAM client-first message');
        ctx.connection.scram = first.state;
        return ok(Buffer.from(first.reply));
      }
      ctx.connection.scram = undefined;
      const reply = scramFinal(hash, state, users[state.user], req.authBytes.toString('utf8'));
      if (!reply) return failed(`Authentication failed during authentication due to invalid credentials with SASL mechanism ${mechanism}`);
      ctx.connection.authenticated = true;
      ctx.connection.principal = `User:${state.user}`;
      return ok(Buffer.from(reply));
    }
    return { errorCode: ERR.ILLEGAL_SASL_STATE, errorMessage: 'SaslHandshake first', authBytes: Buffer.alloc(0) };
  },
  errorResponse: (_req, code) => ({ errorCode: code, errorMessage: null, authBytes: Buffer.alloc(0) }),
});
