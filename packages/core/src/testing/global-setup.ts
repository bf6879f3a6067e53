import type { TestProject } from 'vitest/node';
import { startTestServer } from './database.ts';

/** vitest globalSetup: one Postgres server per test run, one database per test file. */
export default async function setup(project: TestProject) {
  const server = await startTestServer();
  project.provide('pgServerUrl', server.serverUrl);
  return async () => {
    await server.stop();
  };
}
