import type { BranchMapping, Instance, Project } from '../db/entities.ts';
import { type GitRepositoryView, repositoryView } from './repository-views.ts';

/** A timestamp as the API writes it (ISO 8601), or null. */
export const isoOrNull = (d: Date | string | null | undefined): string | null => (d ? new Date(d).toISOString() : null);

/** The JSON shapes the API returns; field names follow the oCore API reference. */
export interface BranchMappingView {
  id: string;
  branchPattern: string;
  instanceId: string;
  priority: number;
  createdAt: string;
}

export interface LinkedInstanceView {
  id: string;
  name: string;
  slug: string;
}

export interface ProjectView {
  id: string;
  orgId: string;
  name: string;
  slug: string;
  description: string;
  isArchived: boolean;
  isRestricted: boolean;
  testSuiteEnabled: boolean;
  testGateProduction: string;
  testGateStaging: string;
  version: number;
  createdAt: string;
  updatedAt: string;
  branchMappings: BranchMappingView[];
  linkedInstances: LinkedInstanceView[];
  instanceCount: number;
  gitRepository: GitRepositoryView | null;
}

export interface InstanceView {
  id: string;
  name: string;
  slug: string;
  environment: string;
  testCommand: string | null;
  restartCommand: string | null;
  restartHookUrl: string | null;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export function branchMappingView(m: BranchMapping): BranchMappingView {
  return {
    id: m.id,
    branchPattern: m.branchPattern,
    instanceId: m.instance.id,
    priority: m.priority,
    createdAt: m.createdAt.toISOString(),
  };
}

/** Mappings in routing order: lowest priority first, then oldest. */
/** The fields routing order needs. */
export type MappingLike = Pick<BranchMapping, 'priority' | 'createdAt' | 'branchPattern'> & {
  instance: { id: string };
};

export function sortMappings<M extends MappingLike>(mappings: M[]): M[] {
  return [...mappings].sort(
    (a, b) =>
      a.priority - b.priority ||
      a.createdAt.getTime() - b.createdAt.getTime() ||
      a.branchPattern.localeCompare(b.branchPattern),
  );
}

/** Expects `instanceLinks.instance`, `branchMappings` and `repository` to be loaded. */
export function projectView(project: Project): ProjectView {
  const linked = project.instanceLinks
    .getItems()
    .map((link) => ({ id: link.instance.id, name: link.instance.name, slug: link.instance.slug }))
    .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
  return {
    id: project.id,
    orgId: project.org.id,
    name: project.name,
    slug: project.slug,
    description: project.description,
    isArchived: project.isArchived,
    isRestricted: project.isRestricted,
    testSuiteEnabled: project.testSuiteEnabled,
    testGateProduction: project.testGateProduction,
    testGateStaging: project.testGateStaging,
    version: project.version,
    createdAt: project.createdAt.toISOString(),
    updatedAt: project.updatedAt.toISOString(),
    branchMappings: sortMappings(project.branchMappings.getItems()).map(branchMappingView),
    linkedInstances: linked,
    instanceCount: linked.length,
    gitRepository: project.repository ? repositoryView(project.repository) : null,
  };
}

export function instanceView(instance: Instance): InstanceView {
  return {
    id: instance.id,
    name: instance.name,
    slug: instance.slug,
    environment: instance.environment,
    testCommand: instance.testCommand ?? null,
    restartCommand: instance.restartCommand ?? null,
    restartHookUrl: instance.restartHookUrl ?? null,
    version: instance.version,
    createdAt: instance.createdAt.toISOString(),
    updatedAt: instance.updatedAt.toISOString(),
  };
}
