// A stub's response, compiled: a response without templates is built once and served as the same
// bytes every time; one with templates renders its headers and body from each request.
import type { StubResponseInput } from './stub-schema.ts';
import { compileJson, compileText, type TemplateInput } from './templating.ts';
import { bodyResponse, flatHeaders, type WireResponse } from './wire-response.ts';

export interface CompiledResponse {
  delayMs: number;
  render(input: TemplateInput): WireResponse;
}

export function compileResponse(input: StubResponseInput, field: string): CompiledResponse {
  const status = input.status ?? 200;
  const delayMs = input.delayMs ?? 0;
  const headerRenderers = Object.entries(input.headers ?? {}).map(
    ([name, value]) => [name.toLowerCase(), value, compileText(value, `${field}.headers.${name}`)] as const,
  );
  const { body } = input;
  const bodyRenderer =
    body === undefined ? undefined : typeof body === 'string' ? compileText(body, `${field}.body`) : compileJson(body, `${field}.body`);

  if (bodyRenderer === undefined && headerRenderers.every(([, , render]) => render === undefined)) {
    const fixed = bodyResponse(status, body, flatHeaders(input.headers));
    return { delayMs, render: () => fixed };
  }
  return {
    delayMs,
    render(templateInput) {
      const headers: string[] = [];
      for (const [name, value, render] of headerRenderers) headers.push(name, render ? render(templateInput) : value);
      // A string body stays text even when a template renders it; a JSON body stays JSON.
      const rendered = bodyRenderer ? bodyRenderer(templateInput) : body;
      return bodyResponse(status, typeof body === 'string' ? String(rendered) : rendered, headers);
    },
  };
}
