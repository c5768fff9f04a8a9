// The `stripe` twin's config: keys, API version, webhook endpoints and retry policy, and objects
// to create at start (and again on every reset).
import { Type, type Static } from '@sinclair/typebox';
import { BaseTwinConfigFields } from '../../src/core/index.ts';

/** The version stripe-node 23 pins; answered when a request sends no Stripe-Version. */
export const DEFAULT_API_VERSION = '2026-10-28.endive';

const Fixture = Type.Record(Type.String(), Type.Unknown());

export const StripeConfigSchema = Type.Object(
  {
    ...BaseTwinConfigFields,
    secretKey: Type.Optional(Type.String({ pattern: '^sk_(test|live)_[A-Za-z0-9_]+$', description: 'the key the SUT must send (default: sk_test_ + 24 random chars, not seeded: a secret)' })),
    webhookSecret: Type.Optional(Type.String({ pattern: '^whsec_', description: 'signing secret of every endpoint (default: whsec_ + 32 random chars, not seeded: a secret)' })),
    apiVersion: Type.Optional(Type.String({ description: `account API version (default ${DEFAULT_API_VERSION})` })),
    webhooks: Type.Optional(
      Type.Array(
        Type.Object(
          {
            url: Type.String({ description: 'where the SUT receives events' }),
            enabled_events: Type.Optional(Type.Array(Type.String(), { description: "default ['*']" })),
            description: Type.Optional(Type.String()),
          },
          { additionalProperties: false },
        ),
      ),
    ),
    webhookRetry: Type.Optional(
      Type.Object(
        {
          maxAttempts: Type.Optional(Type.Integer({ minimum: 1, default: 5 })),
          initialDelayMs: Type.Optional(Type.Integer({ minimum: 0, default: 1000, description: 'doubles on each retry' })),
          maxDelayMs: Type.Optional(Type.Integer({ minimum: 0, default: 30_000 })),
          timeoutMs: Type.Optional(Type.Integer({ minimum: 1, default: 10_000, description: 'per attempt' })),
        },
        { additionalProperties: false },
      ),
    ),
    failedPayments: Type.Optional(
      Type.Object(
        {
          afterLastRetry: Type.Optional(
            Type.Union([Type.Literal('cancel'), Type.Literal('unpaid'), Type.Literal('past_due')], {
              default: 'cancel',
              description: "a subscription's status once every retry of its invoice failed (Stripe's \"manage failed payments\" setting)",
            }),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    fixtures: Type.Optional(
      Type.Object(
        {
          customers: Type.Optional(Type.Array(Fixture)),
          products: Type.Optional(Type.Array(Fixture)),
          prices: Type.Optional(Type.Array(Fixture)),
        },
        { additionalProperties: false, description: 'objects created at start and on reset, with API create parameters' },
      ),
    ),
  },
  { additionalProperties: false },
);

export type StripeConfig = Static<typeof StripeConfigSchema>;
