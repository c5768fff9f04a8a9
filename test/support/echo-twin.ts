// A tiny twin kind for control-plane tests: a line-echo server over the link layer, with a
// `line` fault point (hang, delay) and one action. Real sockets, nothing mocked.
import { Type } from '@sinclair/typebox';
import { BaseTwinConfigFields, CommonActions, connectionPoint, definePoint, listenLinked, type TwinKind } from '../../src/core/index.ts';

const ConfigSchema = Type.Object(
  { ...BaseTwinConfigFields, greeting: Type.Optional(Type.String()), failStart: Type.Optional(Type.Boolean()) },
  { additionalProperties: false },
);

const linePoint = definePoint({
  name: 'line',
  description: 'each line received',
  match: Type.Object({ text: Type.Optional(Type.String()) }, { additionalProperties: false }),
  actions: { hang: CommonActions.hang, delay: CommonActions.delay },
});

export const echoTwin: TwinKind<typeof ConfigSchema> = {
  kind: 'echo',
  description: 'line echo (tests only)',
  configSchema: ConfigSchema,
  points: [
    connectionPoint,
    linePoint,
  ],
  actions: {
    shout: { description: 'upper-case a text', params: Type.Object({ text: Type.String() }, { additionalProperties: false }) },
  },
  async start(config, ctx) {
    if (config.failStart) throw new Error('configured to fail');
    let lines = 0;
    const server = await listenLinked(ctx, { port: config.port }, (socket) => {
      let buffered = '';
      socket.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        let newline: number;
        while ((newline = buffered.indexOf('\n')) >= 0) {
          const text = buffered.slice(0, newline);
          buffered = buffered.slice(newline + 1);
          lines++;
          const decision = ctx.faults.decide(linePoint, { text }, text);
          ctx.journal.record({ point: 'line', type: 'request', summary: text, data: { text }, fault: decision && { rule: decision.rule.id, action: decision.action } });
          if (decision?.action === 'hang') continue;
          const reply = `${config.greeting ?? ''}${text}\n`;
          if (decision?.action === 'delay') setTimeout(() => socket.write(reply), decision.params.ms);
          else socket.write(reply);
        }
      });
      socket.on('end', () => socket.end());
      socket.on('error', () => {});
    });
    const address = `${server.host}:${server.port}`;
    return {
      endpoints: { address },
      env: { ECHO_ADDR: address },
      inspect: async () => ({ lines }),
      actions: { shout: async (params) => ({ text: String(params.text).toUpperCase() }) },
      reset: async () => {
        lines = 0;
      },
      stop: () => server.close(),
    };
  },
};
