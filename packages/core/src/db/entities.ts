import { randomUUID } from 'node:crypto';
import { defineEntity, type InferEntity, p } from '@mikro-orm/postgresql';

export const ENVIRONMENTS = ['development', 'staging', 'production'] as const;
export type Environment = (typeof ENVIRONMENTS)[number];
export const TEST_GATES = ['off', 'warn', 'block'] as const;
export type TestGate = (typeof TEST_GATES)[number];

const timestamps = {
  createdAt: p.datetime().onCreate(() => new Date()),
  updatedAt: p
    .datetime()
    .onCreate(() => new Date())
    .onUpdate(() => new Date()),
};

export const OrganizationSchema = defineEntity({
  name: 'Organization',
  tableName: 'organizations',
  properties: {
    id: p.string().length(64).primary(),
    name: p.string().length(200),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export type Organization = InferEntity<typeof OrganizationSchema>;

export const InstanceSchema = defineEntity({
  name: 'Instance',
  tableName: 'instances',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => randomUUID()),
    org: () => p.manyToOne(OrganizationSchema).deleteRule('cascade'),
    name: p.string().length(200),
    slug: p.string().length(100),
    environment: p.enum(ENVIRONMENTS),
    version: p.integer().version(),
    ...timestamps,
  },
  uniques: [{ properties: ['org', 'slug'] }],
});
export type Instance = InferEntity<typeof InstanceSchema>;

export const ProjectSchema = defineEntity({
  name: 'Project',
  tableName: 'projects',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => randomUUID()),
    org: () => p.manyToOne(OrganizationSchema).deleteRule('cascade'),
    name: p.string().length(200),
    slug: p.string().length(100),
    description: p.text().default(''),
    isArchived: p.boolean().default(false),
    testSuiteEnabled: p.boolean().default(false),
    testGateProduction: p.enum(TEST_GATES).default('block'),
    testGateStaging: p.enum(TEST_GATES).default('warn'),
    version: p.integer().version(),
    ...timestamps,
    instanceLinks: () => p.oneToMany(ProjectInstanceSchema).mappedBy('project'),
    branchMappings: () => p.oneToMany(BranchMappingSchema).mappedBy('project'),
  },
  uniques: [{ properties: ['org', 'slug'] }],
  indexes: [{ properties: ['org', 'isArchived', 'name'] }],
});
export type Project = InferEntity<typeof ProjectSchema>;

export const ProjectInstanceSchema = defineEntity({
  name: 'ProjectInstance',
  tableName: 'project_instances',
  properties: {
    project: () => p.manyToOne(ProjectSchema).primary().deleteRule('cascade'),
    instance: () => p.manyToOne(InstanceSchema).primary().deleteRule('cascade'),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export type ProjectInstance = InferEntity<typeof ProjectInstanceSchema>;

export const BranchMappingSchema = defineEntity({
  name: 'BranchMapping',
  tableName: 'branch_mappings',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => randomUUID()),
    project: () => p.manyToOne(ProjectSchema).deleteRule('cascade'),
    branchPattern: p.string().length(255),
    instance: () => p.manyToOne(InstanceSchema).deleteRule('cascade'),
    priority: p.integer().default(0),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
  uniques: [{ properties: ['project', 'branchPattern', 'instance'] }],
});
export type BranchMapping = InferEntity<typeof BranchMappingSchema>;

export const ALL_ENTITIES = [
  OrganizationSchema,
  InstanceSchema,
  ProjectSchema,
  ProjectInstanceSchema,
  BranchMappingSchema,
];
