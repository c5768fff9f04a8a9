// Compile-time only (checked by `tsc --noEmit`, not run by vitest): the SDK's copies of the
// response shapes stay assignable both ways to the server's own, so neither can drift unnoticed.
import type { Static } from '@sinclair/typebox';
import type { CreatedEnvironmentSchema } from '../../src/api/schemas.ts';
import type { EnvironmentView as ServerEnvironmentView } from '../../src/environments/environment.ts';
import type { ScenarioReport as ServerScenarioReport } from '../../src/scenario/scenario-runner.ts';
import type { CreatedEnvironment, EnvironmentView, ScenarioReport } from '../../src/sdk/index.ts';

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;

export type Checks = [
  Assert<Same<EnvironmentView, ServerEnvironmentView>>,
  Assert<Same<CreatedEnvironment, Static<typeof CreatedEnvironmentSchema>>>,
  // The server's report is what the SDK reads (the SDK's `type` is a plain string).
  Assert<ServerScenarioReport extends ScenarioReport ? true : false>,
];
