export { buildOpenApiDocument } from './openapi.ts';
export type { AppRouter } from './root.ts';
export { appRouter } from './root.ts';
export { ROUTE_ACCESS } from './routes.ts';
export { type ApiServerOptions, buildApiServer } from './server.ts';
