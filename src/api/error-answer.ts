// What the API answers for an error thrown while serving a request: our own StandinErrors as they
// are; Fastify's validation and parsing errors (the client's mistakes) as 4xx naming the field; and
// only what is truly ours as 500. The control API and the Toxiproxy API share it.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { StandinError, isStandinError, type Limits } from '../core/index.ts';

export function errorAnswer(error: unknown, contentType: string | undefined, limits: Limits): StandinError {
  if (isStandinError(error)) return error;
  // Fastify's errors are Errors with optional fields (code, statusCode, validation); anything else thrown has none.
  const fastify: Partial<FastifyError> = error instanceof Error ? error : {};
  const known = standinErrorOf(fastify, contentType, limits);
  if (known) return known;
  if (fastify.validation) {
    const context = fastify.validationContext ?? 'body';
    const first = fastify.validation[0];
    const params = first?.params;
    const field = fieldOf(context, first?.instancePath ?? '', params);
    return new StandinError('STANDIN_ERR_API_VALIDATION', { detail: `${field}: ${describeAjv(first?.message ?? 'is invalid', params)}` });
  }
  // Fastify's own 4xx (a malformed JSON body, a bad Content-Length…): the client's mistake.
  const detail = error instanceof Error ? error.message : String(error);
  if ((fastify.statusCode ?? 500) < 500) return new StandinError('STANDIN_ERR_API_VALIDATION', { detail });
  return new StandinError('STANDIN_ERR_API_INTERNAL', { detail });
}

/** The answer to a request no route takes (Fastify's not-found handler). */
export function answerNotFound(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const error = new StandinError('STANDIN_ERR_API_NOT_FOUND', { method: request.method, url: request.url.split('?')[0] });
  return reply.status(404).send(error.toJSON());
}

/** Fastify's own errors that have a code of ours. */
function standinErrorOf(error: Partial<FastifyError>, contentType: string | undefined, limits: Limits): StandinError | undefined {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new StandinError('STANDIN_ERR_API_BODY_TOO_LARGE', { limit: limits.apiBodyBytes });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new StandinError('STANDIN_ERR_API_MEDIA_TYPE', { type: contentType ?? '(none)' });
    default:
      return undefined;
  }
}

/** `body.twins.db.port`, from ajv's instancePath `/twins/db/port` and its context. */
function fieldOf(context: string, instancePath: string, params: Record<string, unknown> | undefined): string {
  const parts = instancePath.split('/').slice(1);
  const extra = params?.additionalProperty ?? params?.missingProperty;
  if (typeof extra === 'string') parts.push(extra);
  return [context, ...parts].join('.').replace(/\.(\d+)(?=\.|$)/g, '[$1]');
}

function describeAjv(message: string, params: Record<string, unknown> | undefined): string {
  if (params?.additionalProperty !== undefined) return 'unknown field';
  if (params?.missingProperty !== undefined) return 'is required';
  return message;
}
