export { buildWebhooksServer, type WebhooksServerOptions } from './server.ts';
