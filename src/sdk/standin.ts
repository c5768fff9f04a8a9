// `Standin.environment()…start()`: the short way in, for tests.
import { EnvironmentBuilder } from './environment-builder.ts';
import { StandinClient, type StandinClientOptions } from './standin-client.ts';

export const Standin = {
  environment: (): EnvironmentBuilder => new EnvironmentBuilder(),
  client: (options: StandinClientOptions): StandinClient => new StandinClient(options),
} as const;
