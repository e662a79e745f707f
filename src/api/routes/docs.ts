import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Hono } from 'hono';
import swaggerUiDist from 'swagger-ui-dist';
import { problem } from '../errors.ts';
import { openApiDocument } from '../openapi.ts';
import { noQuery } from '../request-schemas.ts';
import { validate } from '../validate.ts';

/**
 * The reference page's assets, from the swagger-ui-dist package: served by
 * the API itself, no CDN (it works offline). A Map, so that a name such as
 * `constructor` finds nothing rather than an object's inherited property.
 */
const asset = (name: string, contentType: string) =>
  [name, { contentType, bytes: new Uint8Array(readFileSync(join(swaggerUiDist.getAbsoluteFSPath(), name))) }] as const;
const ASSETS = new Map([
  asset('swagger-ui.css', 'text/css; charset=utf-8'),
  asset('swagger-ui-bundle.js', 'text/javascript; charset=utf-8'),
]);

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
    .get('/openapi.json', validate('query', noQuery), (c) => c.json(openApiDocument(api)))
    .get('/docs', validate('query', noQuery), (c) => c.html(PAGE))
    .get('/docs/:asset', validate('query', noQuery), (c) => {
      const name = c.req.param('asset');
      const found = ASSETS.get(name);
      if (!found) return problem(c, 404, 'not_found', `No asset ${name} here`);
      return c.body(found.bytes, 200, { 'content-type': found.contentType, 'cache-control': 'public, max-age=86400' });
    });
}
