import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { fakeApp } from './fake-app.ts';

type Document = {
  openapi: string;
  paths: Record<
    string,
    Record<string, { requestBody?: { content: Record<string, { schema: { properties: Record<string, unknown> } }> }; parameters: { name: string; in: string }[] }>
  >;
};

const operationsOf = (document: Document) =>
  Object.entries(document.paths)
    .flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`))
    .sort();

/** The `| \`METHOD /path\` |` rows of the README's API section. */
async function readmeApiRows(): Promise<string[]> {
  const readme = await readFile(new URL('../../../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('\n## API\n'), readme.indexOf('\n## ', readme.indexOf('\n## API\n') + 1));
  return [...section.matchAll(/^\| `(GET|POST|PATCH|PUT|DELETE) ([^`?]+)[^`]*`/gm)].map(([, method, path]) => `${method} ${path}`).sort();
}

describe('GET /openapi.json and /docs', () => {
  it('describes every route the API serves, with the schemas that validate it', async () => {
    const api = fakeApp();
    const { status, body } = await api.request('/openapi.json');
    expect(status).toBe(200);
    const document = body as Document;
    expect(document.openapi).toBe('3.1.0');
    const served = [...new Set(api.app.routes.filter((r) => r.method !== 'ALL' && !/^\/(openapi\.json|docs)/.test(r.path)).map((r) => `${r.method} ${r.path}`))].sort();
    expect(operationsOf(document)).toEqual(served);
    const submit = document.paths['/orders']?.post;
    expect(Object.keys(submit?.requestBody?.content['application/json']?.schema.properties ?? {})).toEqual(['merchantOrderNo', 'phone', 'amount', 'notifyUrl']);
    expect(document.paths['/admin/orders/{orderId}/resolve']?.post?.parameters).toEqual([expect.objectContaining({ name: 'orderId', in: 'path' })]);
  });

  it('keeps the README’s API table and the document in step', async () => {
    const { body } = await fakeApp().request('/openapi.json');
    expect(await readmeApiRows()).toEqual(operationsOf(body as Document));
  });

  it('serves the interactive reference from the API itself, with no outside address (it works offline)', async () => {
    const { app } = fakeApp();
    const page = await (await app.request('/docs')).text();
    expect(page).toContain('/openapi.json');
    expect(page).not.toMatch(/https?:\/\//);
    const bundle = await app.request('/docs/swagger-ui-bundle.js');
    expect(bundle.status).toBe(200);
    expect(bundle.headers.get('content-type')).toContain('javascript');
    expect((await app.request('/docs/elsewhere.js')).status).toBe(404);
  });
});
