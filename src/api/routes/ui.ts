// The dashboard at /ui: static files only. The page reads everything through the same REST API and
// journal stream as any client, with the token the person pastes, so it adds no way in.
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { Type } from '@sinclair/typebox';
import { StandinError } from '../../core/index.ts';
import { loadUiAssets, type UiAsset } from '../../ui/ui-assets.ts';

/**
 * The page loads its own files and talks to its own origin, nothing else: no inline script, no
 * other origin, no framing. A hostile journal event rendered by mistake as HTML could still not run.
 */
const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export function uiRoutes(): FastifyPluginAsync {
  const assets = loadUiAssets();
  const send = (reply: FastifyReply, asset: UiAsset): FastifyReply =>
    reply
      .header('content-type', asset.contentType)
      .header('content-security-policy', CONTENT_SECURITY_POLICY)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      // Small files that change with the package: revalidate rather than guess a lifetime.
      .header('cache-control', 'no-cache')
      .send(asset.body);
  return async (app) => {
    // The page names its files by absolute path (/ui/app.js), so /ui and /ui/ are the same page.
    for (const path of ['/ui', '/ui/']) app.get(path, { schema: { hide: true } }, async (_request, reply) => send(reply, assets.get('index.html')!));
    app.get(
      '/ui/:file',
      { schema: { hide: true, params: Type.Object({ file: Type.String() }) } },
      async (request, reply) => {
        const { file } = request.params as { file: string };
        const asset = assets.get(file);
        if (!asset) throw new StandinError('STANDIN_ERR_API_NOT_FOUND', { method: 'GET', url: `/ui/${file}` });
        return send(reply, asset);
      },
    );
  };
}
