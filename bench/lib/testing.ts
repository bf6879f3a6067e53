export * from '@ocore/core';
export { createMigratedDatabase, startTestServer } from '@ocore/core/testing';
