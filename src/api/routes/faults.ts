// Fault rules of an environment: POST/GET/DELETE /environments/:id/faults[/:ruleId].
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { FaultRuleInputSchema, StandinError } from '../../core/index.ts';
import { EnvParamsSchema, FaultRuleListSchema, FaultRuleViewSchema, RuleParamsSchema, errors } from '../schemas.ts';

export function faultRoutes(): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post(
      '/environments/:id/faults',
      {
        config: { access: 'environment' },
        schema: {
          tags: ['faults'],
          summary: 'Add a fault rule',
          params: EnvParamsSchema,
          body: FaultRuleInputSchema,
          response: { 201: FaultRuleViewSchema, ...errors(400, 401, 404, 409) },
        },
      },
      async (request, reply) => {
        const { faults } = request.environment;
        const { id } = faults.add(request.body, 'body');
        // Its view, with counters; gone only if a request removed it in between.
        const rule = faults.get(id);
        if (!rule) throw new StandinError('STANDIN_ERR_FAULT_NOT_FOUND', { id });
        return reply.status(201).send(rule);
      },
    );

    app.get(
      '/environments/:id/faults',
      {
        config: { access: 'environment' },
        schema: {
          tags: ['faults'],
          summary: 'List fault rules with their matched/fired counters',
          params: EnvParamsSchema,
          querystring: Type.Object({ twin: Type.Optional(Type.String()) }, { additionalProperties: false }),
          response: { 200: FaultRuleListSchema, ...errors(401, 404) },
        },
      },
      async (request) => ({ rules: request.environment.faults.list(request.query.twin) }),
    );

    app.delete(
      '/environments/:id/faults',
      {
        config: { access: 'environment' },
        schema: {
          tags: ['faults'],
          summary: 'Remove every fault rule',
          params: EnvParamsSchema,
          response: { 204: Type.Null(), ...errors(401, 404) },
        },
      },
      async (request, reply) => {
        request.environment.faults.clear();
        return reply.status(204).send(null);
      },
    );

    app.get(
      '/environments/:id/faults/:ruleId',
      {
        config: { access: 'environment' },
        schema: {
          tags: ['faults'],
          summary: 'One fault rule',
          params: RuleParamsSchema,
          response: { 200: FaultRuleViewSchema, ...errors(401, 404) },
        },
      },
      async (request) => {
        const { ruleId } = request.params;
        const rule = request.environment.faults.get(ruleId);
        if (!rule) throw new StandinError('STANDIN_ERR_FAULT_NOT_FOUND', { id: ruleId });
        return rule;
      },
    );

    app.delete(
      '/environments/:id/faults/:ruleId',
      {
        config: { access: 'environment' },
        schema: {
          tags: ['faults'],
          summary: 'Remove a fault rule; traffic in flight is not held up',
          params: RuleParamsSchema,
          response: { 204: Type.Null(), ...errors(401, 404) },
        },
      },
      async (request, reply) => {
        const { ruleId } = request.params;
        if (!request.environment.faults.remove(ruleId)) throw new StandinError('STANDIN_ERR_FAULT_NOT_FOUND', { id: ruleId });
        return reply.status(204).send(null);
      },
    );
  };
}
