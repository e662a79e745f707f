import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Hono } from 'hono';
import swaggerUiDist from 'swagger-ui-dist';
import { openApiDocument } from '../openapi.ts';

/** The reference page's assets, from the swagger-ui-dist package: served by the API itself, no CDN (it works offline). */
const ASSETS: Record<string, string> = { 'swagger-ui.css': 'text/css; charset=utf-8', 'swagger-ui-bundle.js': 'text/javascript; charset=utf-8' };
const assetFiles = Object.fromEntries(Object.keys(ASSETS).map((name) => [name, readFileSync(join(swaggerUiDist.getAbsoluteFSPath(), name))]));

const PAGE = `<!doctype html>
<html lang="en">
  <head><meta charset="utf-8"><title>Recharge orders API</title><link rel="stylesheet" href="/docs/swagger-ui.css"></head>
  <body>
    <div id="reference"></div>
    <script src="/docs/swagger-ui-bundle.js"></script>
    <script>window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#reference' });</script>
  </body>
</html>`;

/** `/openapi.json` (made from `api`'s routes and schemas) and the interactive reference at `/docs`. */
export function docsRoutes(api: Pick<Hono, 'routes'>) {
  return new Hono()
    .get('/openapi.json', (c) => c.json(openApiDocument(api)))
    .get('/docs', (c) => c.html(PAGE))
    .get('/docs/:asset', (c) => {
      const name = c.req.param('asset');
      const file = assetFiles[name];
      if (!file) return c.json({ error: 'not_found', message: `No ${name} here` }, 404);
      return c.body(new Uint8Array(file), 200, { 'content-type': ASSETS[name] as string, 'cache-control': 'public, max-age=86400' });
    });
}
