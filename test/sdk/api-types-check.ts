// Compile-time only (checked by `tsc --noEmit`, not run by vitest): the SDK's response types are the
// API's own schemas' static types; these check that what the server's code produces fits them, where
// that code keeps a type of its own (the scenario runner's report, the registry's kind descriptions).
import type { EnvironmentView as ServerEnvironmentView } from '../../src/environments/environment.ts';
import type { KindDescription } from '../../src/environments/twin-registry.ts';
import type { ScenarioReport as ServerScenarioReport } from '../../src/scenario/scenario-runner.ts';
import type { EnvironmentView, KindInfo, ScenarioReport } from '../../src/sdk/index.ts';

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;

export type Checks = [
  Assert<Same<EnvironmentView, ServerEnvironmentView>>,
  Assert<ServerScenarioReport extends ScenarioReport ? true : false>,
  Assert<KindDescription extends KindInfo ? true : false>,
];
