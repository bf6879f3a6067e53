import { TRPCClientError } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from './helpers/api.ts';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api?.close());

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    if (error instanceof TRPCClientError) return (error.data as { code?: string } | undefined)?.code;
    throw error;
  }
}

describe('the same procedures through @trpc/client', () => {
  it('covers every project, instance and mapping call', async () => {
    const client = api.trpc(await api.token({ org: 'trpc-org' }));
    const instance = await client.instances.create.mutate({ name: 'tRPC prod', environment: 'production' });
    expect(instance.slug).toBe('trpc-prod');
    expect((await client.instances.list.query({})).total).toBe(1);
    expect((await client.instances.get.query({ id: instance.id })).name).toBe('tRPC prod');
    expect((await client.instances.update.mutate({ id: instance.id, name: 'renamed' })).name).toBe('renamed');

    const project = await client.projects.create.mutate({ name: 'Typed', description: 'via tRPC' });
    expect(project.slug).toBe('typed');
    expect((await client.projects.get.query({ id: project.id })).description).toBe('via tRPC');
    expect((await client.projects.getInOrg.query({ orgId: 'trpc-org', id: project.id })).id).toBe(project.id);
    const updated = await client.projects.update.mutate({ id: project.id, testSuiteEnabled: true, version: 1 });
    expect(updated.testSuiteEnabled).toBe(true);

    expect(await client.projectInstances.link.mutate({ id: project.id, instanceId: instance.id })).toEqual({
      message: 'Instance linked to project',
    });
    const mappings = await client.branchMappings.set.mutate({
      id: project.id,
      mappings: [{ branchPattern: 'release/*', instanceId: instance.id, priority: 1 }],
    });
    expect(mappings).toHaveLength(1);
    expect(await client.branchMappings.list.query({ id: project.id })).toEqual(mappings);

    expect((await client.projects.archive.mutate({ id: project.id })).message).toBe('Project archived');
    expect((await client.projects.list.query({})).total).toBe(0);
    expect((await client.projects.list.query({ include_archived: 'true' })).total).toBe(1);
    expect((await client.projects.unarchive.mutate({ id: project.id })).message).toBe('Project unarchived');

    const copy = await client.projects.clone.mutate({ id: project.id });
    expect(copy.name).toBe('Typed (copy)');
    expect(copy.branchMappings[0]?.branchPattern).toBe('release/*');

    expect(await client.projectInstances.unlink.mutate({ id: project.id, instanceId: instance.id })).toEqual({
      message: 'Instance unlinked from project',
    });
    await client.projects.delete.mutate({ id: copy.id });
    await client.instances.delete.mutate({ id: instance.id });
    expect(await codeOf(client.projects.get.query({ id: copy.id }))).toBe('NOT_FOUND');
  });

  it('reports validation, auth and permission errors with tRPC codes', async () => {
    const viewer = api.trpc(await api.token({ permissions: ['view:projects'] }));
    const bad = api.trpc('not-a-token');
    expect(await codeOf(viewer.projects.create.mutate({ name: 'x' }))).toBe('FORBIDDEN');
    expect(await codeOf(bad.projects.list.query({}))).toBe('UNAUTHORIZED');
    expect(await codeOf(viewer.projects.get.query({ id: 'nope' }))).toBe('BAD_REQUEST');
    expect(await codeOf(viewer.projects.getInOrg.query({ orgId: 'elsewhere', id: crypto.randomUUID() }))).toBe(
      'NOT_FOUND',
    );
  });
});
