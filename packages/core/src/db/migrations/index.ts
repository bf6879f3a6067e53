import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261122052415 } from './Migration20261122052415.ts';
import { Migration20261122054247 } from './Migration20261122054247.ts';
import { Migration20261122055603 } from './Migration20261122055603.ts';
import { Migration20261122062225 } from './Migration20261122062225.ts';
import { Migration20261122063000 } from './Migration20261122063000.ts';
import { Migration20261122063717 } from './Migration20261122063717.ts';
import { Migration20261122064738 } from './Migration20261122064738.ts';
import { Migration20261122065458 } from './Migration20261122065458.ts';
import { Migration20261122070717 } from './Migration20261122070717.ts';
import { Migration20261122070839 } from './Migration20261122070839.ts';
import { Migration20261122072154 } from './Migration20261122072154.ts';
import { Migration20261122090000 } from './Migration20261122090000.ts';
import { Migration20261122100000 } from './Migration20261122100000.ts';

/** Every committed migration, oldest first. Listed explicitly so nothing depends on globbing. */
export const MIGRATIONS: MigrationObject[] = [
  { name: 'Migration20261122052415', class: Migration20261122052415 },
  { name: 'Migration20261122054247', class: Migration20261122054247 },
  { name: 'Migration20261122055603', class: Migration20261122055603 },
  { name: 'Migration20261122062225', class: Migration20261122062225 },
  { name: 'Migration20261122063000', class: Migration20261122063000 },
  { name: 'Migration20261122063717', class: Migration20261122063717 },
  { name: 'Migration20261122064738', class: Migration20261122064738 },
  { name: 'Migration20261122065458', class: Migration20261122065458 },
  { name: 'Migration20261122070717', class: Migration20261122070717 },
  { name: 'Migration20261122070839', class: Migration20261122070839 },
  { name: 'Migration20261122072154', class: Migration20261122072154 },
  { name: 'Migration20261122090000', class: Migration20261122090000 },
  { name: 'Migration20261122100000', class: Migration20261122100000 },
];
