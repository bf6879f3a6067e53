export { buildWorkerHealthServer, type WorkerOptions } from './worker.ts';
