// Fault rules of an environment: POST/GET/DELETE /environments/:id/faults[/:ruleId].
import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@sinclair/typebox';
import { FaultRuleInputSchema, FaultRuleViewSchema, StandinError } from '../../core/index.ts';
import { authorizedEnvironment } from '../auth.ts';
import { EnvParamsSchema, errors } from '../schemas.ts';
import type { RouteContext } from '../server.ts';

const RuleParamsSchema = Type.Object({ id: Type.String(), ruleId: Type.String() });

export function faultRoutes({ manager, adminToken }: RouteContext): FastifyPluginAsync {
  return async (app) => {
    app.post(
      '/environments/:id/faults',
      {
        schema: {
          tags: ['faults'],
          summary: 'Add a fault rule',
          params: EnvParamsSchema,
          body: FaultRuleInputSchema,
          response: { 201: FaultRuleViewSchema, ...errors(400, 401, 404, 409) },
        },
      },
      async (request, reply) => {
        const { id } = request.params as { id: string };
        const env = authorizedEnvironment(request, manager, id, adminToken);
        const rule = env.faults.add(request.body, 'body');
        return reply.status(201).send(env.faults.get(rule.id));
      },
    );

    app.get(
      '/environments/:id/faults',
      {
        schema: {
          tags: ['faults'],
          summary: 'List fault rules with their matched/fired counters',
          params: EnvParamsSchema,
          querystring: Type.Object({ twin: Type.Optional(Type.String()) }, { additionalProperties: false }),
          response: { 200: Type.Object({ rules: Type.Array(FaultRuleViewSchema) }), ...errors(401, 404) },
        },
      },
      async (request) => {
        const { id } = request.params as { id: string };
        const { twin } = request.query as { twin?: string };
        return { rules: authorizedEnvironment(request, manager, id, adminToken).faults.list(twin) };
      },
    );

    app.delete(
      '/environments/:id/faults',
      {
        schema: {
          tags: ['faults'],
          summary: 'Remove every fault rule',
          params: EnvParamsSchema,
          response: { 204: Type.Null(), ...errors(401, 404) },
        },
      },
      async (request, reply) => {
        const { id } = request.params as { id: string };
        authorizedEnvironment(request, manager, id, adminToken).faults.clear();
        return reply.status(204).send();
      },
    );

    app.get(
      '/environments/:id/faults/:ruleId',
      {
        schema: {
          tags: ['faults'],
          summary: 'One fault rule',
          params: RuleParamsSchema,
          response: { 200: FaultRuleViewSchema, ...errors(401, 404) },
        },
      },
      async (request) => {
        const { id, ruleId } = request.params as { id: string; ruleId: string };
        const rule = authorizedEnvironment(request, manager, id, adminToken).faults.get(ruleId);
        if (!rule) throw new StandinError('STANDIN_ERR_FAULT_NOT_FOUND', { id: ruleId });
        return rule;
      },
    );

    app.delete(
      '/environments/:id/faults/:ruleId',
      {
        schema: {
          tags: ['faults'],
          summary: 'Remove a fault rule; traffic in flight is not held up',
          params: RuleParamsSchema,
          response: { 204: Type.Null(), ...errors(401, 404) },
        },
      },
      async (request, reply) => {
        const { id, ruleId } = request.params as { id: string; ruleId: string };
        const removed = authorizedEnvironment(request, manager, id, adminToken).faults.remove(ruleId);
        if (!removed) throw new StandinError('STANDIN_ERR_FAULT_NOT_FOUND', { id: ruleId });
        return reply.status(204).send();
      },
    );
  };
}
