// The values the global setup provides to every test file.
import 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Postgres server URL (no database) for this test run, from the global setup. */
    pgServerUrl: string;
  }
}
