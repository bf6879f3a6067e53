import { generateOpenApiDocument } from 'trpc-to-openapi';
import { appRouter } from './root.ts';
import { SUCCESS_STATUS } from './routes.ts';

const DESCRIPTIONS: Record<number, string> = { 201: 'Created', 204: 'No Content' };

/**
 * The OpenAPI document of every REST route. trpc-to-openapi always documents
 * success as 200; routes that answer 201 or 204 are corrected here.
 */
export function buildOpenApiDocument(baseUrl: string): ReturnType<typeof generateOpenApiDocument> {
  const doc = generateOpenApiDocument(appRouter, {
    title: 'oCore Projects API',
    description:
      'Projects, instances and branch mappings. Every project route also answers under `/orgs/{orgId}`. Errors are `{code, message, issues?}`.',
    version: '1.0.0',
    baseUrl,
    tags: [
      'projects',
      'branch-mappings',
      'repository',
      'deployments',
      'webhook-deliveries',
      'instances',
      'notifications',
    ],
  });
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const method of ['get', 'post', 'put', 'delete'] as const) {
      const operation = item?.[method];
      const status = SUCCESS_STATUS.get(`${method.toUpperCase()} ${path}`);
      if (!operation?.responses || !status) continue;
      const ok = operation.responses['200'];
      delete operation.responses['200'];
      operation.responses[String(status)] =
        status === 204 ? { description: DESCRIPTIONS[204] ?? '' } : { ...ok, description: DESCRIPTIONS[status] ?? '' };
    }
  }
  return doc;
}
