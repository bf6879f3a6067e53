import { type EntityManager, LockMode } from '@mikro-orm/postgresql';
import picomatch from 'picomatch';
import type { Principal } from '../auth/permissions.ts';
import { BranchMappingSchema, InstanceSchema, ProjectInstanceSchema, ProjectSchema } from '../db/entities.ts';
import { invalid, notFound } from '../errors.ts';
import { withVersionCheck } from './db-errors.ts';
import { findProject } from './projects.ts';
import { type BranchMappingView, branchMappingView, sortMappings } from './views.ts';

export const MAX_MAPPINGS = 200;

export interface MappingInput {
  branchPattern: string;
  instanceId: string;
  priority: number;
}

/** Why a branch pattern is unusable, or null when it is fine. */
export function branchPatternProblem(pattern: string): string | null {
  if (pattern.trim() !== pattern || /\s/.test(pattern)) return 'must not contain whitespace';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
  if (/[\x00-\x1f\x7f~^:\\]/.test(pattern)) return 'must not contain control characters, ~, ^, : or \\';
  if (pattern.includes('..') || pattern.includes('//')) return 'must not contain ".." or "//"';
  if (pattern.startsWith('/') || pattern.endsWith('/')) return 'must not start or end with "/"';
  if (pattern.endsWith('.lock') || pattern.endsWith('.')) return 'must not end with "." or ".lock"';
  try {
    picomatch.makeRe(pattern, { strictBrackets: true });
  } catch (error) {
    return `is not a valid glob: ${(error as Error).message}`;
  }
  return null;
}

/** Does a branch name match a mapping pattern (exact name or picomatch glob)? */
export function branchMatches(pattern: string, branch: string): boolean {
  return pattern === branch || picomatch.isMatch(branch, pattern, { dot: true });
}

export async function listBranchMappings(
  em: EntityManager,
  principal: Principal,
  projectId: string,
): Promise<BranchMappingView[]> {
  const project = await findProject(em, principal, projectId);
  return sortMappings(project.branchMappings.getItems()).map(branchMappingView);
}

/**
 * Replaces the mappings of a project (all of them, or with `onlyPatterns`
 * just those for the given patterns). Targets must be instances of the
 * project's org; an instance that is not linked yet gets linked, so a
 * mapping never points at an instance outside the project.
 */
export async function replaceBranchMappings(
  em: EntityManager,
  principal: Principal,
  projectId: string,
  mappings: MappingInput[],
  options: { onlyPatterns?: boolean } = {},
): Promise<BranchMappingView[]> {
  if (mappings.length > MAX_MAPPINGS) {
    throw invalid('mappings', `at most ${MAX_MAPPINGS} mappings per project`);
  }
  const seen = new Set<string>();
  mappings.forEach((m, i) => {
    const problem = branchPatternProblem(m.branchPattern);
    if (problem) throw invalid(`mappings.${i}.branchPattern`, problem);
    const key = `${m.branchPattern}\u0000${m.instanceId}`;
    if (seen.has(key)) {
      throw invalid(`mappings.${i}.branchPattern`, `duplicate mapping of "${m.branchPattern}" to the same instance`);
    }
    seen.add(key);
  });

  await em.transactional(async (tem) => {
    // Serialise concurrent replaces of the same project's mappings.
    const project = await tem.findOne(
      ProjectSchema,
      { id: projectId, org: principal.orgId },
      { lockMode: LockMode.PESSIMISTIC_WRITE },
    );
    if (!project) throw notFound('project');
    const ids = [...new Set(mappings.map((m) => m.instanceId))];
    const instances = await tem.find(InstanceSchema, { id: { $in: ids }, org: principal.orgId });
    const known = new Set(instances.map((i) => i.id));
    mappings.forEach((m, i) => {
      if (!known.has(m.instanceId)) {
        throw invalid(`mappings.${i}.instanceId`, 'no such instance in this organization');
      }
    });
    const links = await tem.find(ProjectInstanceSchema, { project: projectId });
    const linked = new Set(links.map((l) => l.instance.id));
    for (const id of ids) {
      if (!linked.has(id)) tem.create(ProjectInstanceSchema, { project, instance: id });
    }
    await tem.nativeDelete(BranchMappingSchema, {
      project: projectId,
      ...(options.onlyPatterns ? { branchPattern: { $in: mappings.map((m) => m.branchPattern) } } : {}),
    });
    for (const m of mappings) {
      tem.create(BranchMappingSchema, {
        project,
        branchPattern: m.branchPattern,
        instance: m.instanceId,
        priority: m.priority,
      });
    }
    project.updatedAt = new Date();
    await withVersionCheck('project', () => tem.flush());
  });
  return listBranchMappings(em.fork(), principal, projectId);
}
