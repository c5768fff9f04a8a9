// The Standin client SDK. It speaks only the control API over HTTP: it loads no twin and no server
// code, and takes its request types from their one declaration (src/core, environment-spec.ts).
export { Standin } from './standin.ts';
export { StandinClient, Environments, Scenarios, type StandinClientOptions, type EnvironmentSpecInput } from './standin-client.ts';
export { EnvironmentBuilder, type StartedEnvironment, type TwinSpec } from './environment-builder.ts';
export {
  EnvironmentHandle,
  type FaultRules,
  type InspectQuery,
  type JournalClient,
  type JournalStreamOptions,
  type TwinClient,
} from './environment-handle.ts';
export { StandinApiError, isStandinApiError, type ApiErrorBody } from './api-error.ts';
export type * from './api-types.ts';
export type { FaultRuleInput, FaultRuleView, JournalEvent, JournalFilter, JournalPage } from '../core/index.ts';
export type { EnvironmentSpec } from '../environments/environment-spec.ts';
