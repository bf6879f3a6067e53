import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../src/db/migrations/index.ts';

describe('committed migrations', () => {
  it('are all listed, oldest first', () => {
    const files = readdirSync(new URL('../src/db/migrations', import.meta.url))
      .filter((f) => /^Migration\d+.*\.ts$/.test(f))
      .map((f) => f.replace(/\.ts$/, ''))
      .sort();
    expect(MIGRATIONS.map((m) => m.name)).toEqual(files);
  });
});
