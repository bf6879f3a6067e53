import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { MikroORM } from '../src/db/orm.ts';
import { DomainError } from '../src/errors.ts';
import { replaceBranchMappings } from '../src/services/branch-mappings.ts';
import { createInstance } from '../src/services/instances.ts';
import { cloneProject, createProject, listProjects, setArchived, updateProject } from '../src/services/projects.ts';
import { createMigratedDatabase, principal } from '../src/testing/index.ts';

let orm: MikroORM;
const acme = principal('acme');
const other = principal('other');

beforeAll(async () => {
  ({ orm } = await createMigratedDatabase(inject('pgServerUrl')));
});
afterAll(async () => {
  await orm?.close();
});

const em = () => orm.em.fork();

describe('project services on a real database', () => {
  it('gives concurrent creates with the same name distinct slugs', async () => {
    const created = await Promise.all(
      Array.from({ length: 5 }, () => createProject(em(), acme, { name: 'Race Project' })),
    );
    expect(new Set(created.map((p) => p.slug)).size).toBe(5);
    expect(created.map((p) => p.slug)).toContain('race-project');
  });

  it('rejects a stale version with a conflict that names the field', async () => {
    const project = await createProject(em(), acme, { name: 'Versioned' });
    await updateProject(em(), acme, project.id, { name: 'First', version: project.version });
    const stale = updateProject(em(), acme, project.id, { name: 'Second', version: project.version });
    await expect(stale).rejects.toMatchObject({ kind: 'CONFLICT', field: 'version' });
  });

  it('clones settings, links and mappings but keeps orgs apart', async () => {
    const instance = await createInstance(em(), acme, { name: 'Prod', environment: 'production' });
    const project = await createProject(em(), acme, { name: 'Source', description: 'd' });
    await updateProject(em(), acme, project.id, { testSuiteEnabled: true, testGateStaging: 'block' });
    await replaceBranchMappings(em(), acme, project.id, [
      { branchPattern: 'main', instanceId: instance.id, priority: 0 },
    ]);
    const copy = await cloneProject(em(), acme, project.id);
    expect(copy).toMatchObject({
      name: 'Source (copy)',
      slug: 'source-copy',
      description: 'd',
      testSuiteEnabled: true,
      testGateStaging: 'block',
      instanceCount: 1,
    });
    expect(copy.branchMappings.map((m) => m.branchPattern)).toEqual(['main']);
    await expect(cloneProject(em(), other, project.id)).rejects.toBeInstanceOf(DomainError);
    const otherList = await listProjects(em(), other, {
      includeArchived: true,
      limit: 100,
      offset: 0,
      sort: 'name',
      order: 'asc',
    });
    expect(otherList.total).toBe(0);
  });

  it('hides archived projects unless asked', async () => {
    const project = await createProject(em(), acme, { name: 'Old stuff' });
    await setArchived(em(), acme, project.id, true);
    const args = { limit: 100, offset: 0, sort: 'name', order: 'asc' } as const;
    const visible = await listProjects(em(), acme, { ...args, includeArchived: false });
    const all = await listProjects(em(), acme, { ...args, includeArchived: true });
    expect(visible.projects.map((p) => p.id)).not.toContain(project.id);
    expect(all.projects.map((p) => p.id)).toContain(project.id);
    expect(all.total).toBe(visible.total + 1);
  });
});
