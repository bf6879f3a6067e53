import type { TestProject } from 'vitest/node';
import { startTestServer } from './database.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Postgres server URL (no database) for this test run, from the global setup. */
    pgServerUrl: string;
  }
}

/** vitest globalSetup: one Postgres server per test run, one database per test file. */
export default async function setup(project: TestProject) {
  const server = await startTestServer();
  project.provide('pgServerUrl', server.serverUrl);
  return async () => {
    await server.stop();
  };
}
