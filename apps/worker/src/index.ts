export { registerDeliveryProcessing } from './jobs/process-delivery.ts';
export { registerDeliveryPruning } from './jobs/prune-deliveries.ts';
export { registerRepositoryCleanup } from './jobs/repository-cleanup.ts';
export { registerRepositoryPolling } from './jobs/repository-poll.ts';
export { registerRepositorySync } from './jobs/repository-sync.ts';
export { registerDeploymentRuns } from './jobs/run-deployment.ts';
export { buildWorkerHealthServer, type WorkerOptions } from './worker.ts';
