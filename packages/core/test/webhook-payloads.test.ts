import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDelivery } from '../src/providers/index.ts';
import { verifySignature } from '../src/webhooks/verify.ts';

const PAYLOADS = join(import.meta.dirname, '..', '..', '..', '..', 'shared', 'provider-payloads');
const files = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : name.endsWith('.json') ? [path] : [];
  });

describe('signatures of as-delivered bodies', () => {
  it("verify GitHub's signed ping with its original X-Hub-Signature-256", () => {
    const body = readFileSync(join(PAYLOADS, 'github/jenkins-github-plugin/signed-ping.secret_123.json'));
    const header = 'sha256=85e61999573c7023720a12375e1e55d18a0870e1ef880736f6ffc9273d0519e3';
    expect(verifySignature('github', '123', body, { 'x-hub-signature-256': header })).toBe(true);
    expect(verifySignature('github', '124', body, { 'x-hub-signature-256': header })).toBe(false);
    expect(
      verifySignature('github', '123', Buffer.concat([body, Buffer.from(' ')]), { 'x-hub-signature-256': header }),
    ).toBe(false);
  });

  it("verify Bitbucket's signed push with its original X-Hub-Signature", () => {
    const body = readFileSync(join(PAYLOADS, 'bitbucket/jenkins-bitbucket-branch-source/signed_payload.secret.json'));
    const ok = 'sha256=f205c729821c6954aff2afe72b965c34015b4baf96ea8ddc2cc44999c014a035';
    const off = 'sha256=f205c729821c6954aff2afe72b965c34015b4baf96ea8ddc2cc44999c014a036';
    expect(verifySignature('bitbucket', 'Gkvl$k$wyNpQAF42', body, { 'x-hub-signature': ok })).toBe(true);
    expect(verifySignature('bitbucket', 'Gkvl$k$wyNpQAF42', body, { 'x-hub-signature': off })).toBe(false);
  });

  it("match GitHub's documented test vector, and GitLab's token in constant time", () => {
    const header = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';
    expect(
      verifySignature('github', "It's a Secret to Everybody", 'Hello, World!', { 'x-hub-signature-256': header }),
    ).toBe(true);
    expect(verifySignature('gitlab', 'token-1', '{}', { 'x-gitlab-token': 'token-1' })).toBe(true);
    expect(verifySignature('gitlab', 'token-1', '{}', { 'x-gitlab-token': 'token-12' })).toBe(false);
    expect(verifySignature('gitlab', 'token-1', '{}', {})).toBe(false);
    expect(verifySignature('github', 's', '{}', {})).toBe(false);
  });
});

describe('every published example payload', () => {
  const EVENTS: Record<string, (file: string, payload: any) => string> = {
    github: (file) =>
      file.includes('/push') || file.includes('push') ? 'push' : file.includes('ping') ? 'ping' : 'other',
    gitlab: (_file, p) =>
      p.object_kind === 'tag_push' ? 'Tag Push Hook' : p.object_kind === 'push' ? 'Push Hook' : 'System Hook',
    bitbucket: (file) =>
      file.includes('push') || file.includes('created') || file.includes('deleted') || file.includes('signed')
        ? 'repo:push'
        : 'repo:updated',
  };
  for (const provider of ['github', 'gitlab', 'bitbucket'] as const) {
    for (const file of files(join(PAYLOADS, provider))) {
      const name = relative(PAYLOADS, file);
      it(`parses ${name} without throwing`, () => {
        const payload = JSON.parse(readFileSync(file, 'utf8'));
        const parsed = parseDelivery(provider, EVENTS[provider]?.(name, payload) ?? '', payload);
        if (parsed.kind === 'push') {
          for (const push of parsed.pushes) {
            expect(push.refName.length).toBeGreaterThan(0);
            expect(['branch', 'tag']).toContain(push.refKind);
            if (!push.deleted) expect(push.after).toMatch(/^[0-9a-f]{40}$/);
          }
        } else if (parsed.kind === 'installation') {
          expect(parsed.event.installationId).toBeGreaterThan(0);
        } else if (parsed.kind === 'lifecycle') {
          expect(['renamed', 'transferred', 'archived', 'unarchived', 'deleted', 'updated']).toContain(
            parsed.event.action,
          );
        } else {
          expect(parsed.reason.length).toBeGreaterThan(0);
        }
      });
    }
  }

  it('reads the head commit, pusher and forced flag of GitHub, GitLab and Bitbucket pushes', () => {
    const gh = parseDelivery(
      'github',
      'push',
      JSON.parse(readFileSync(join(PAYLOADS, 'github/probot/push.json'), 'utf8')),
    );
    expect(gh.kind).toBe('push');
    const gl = parseDelivery(
      'gitlab',
      'Push Hook',
      JSON.parse(readFileSync(join(PAYLOADS, 'gitlab/gitlab-docs/webhook_events.push.json'), 'utf8')),
    );
    expect(gl).toMatchObject({
      kind: 'push',
      pushes: [
        {
          refKind: 'branch',
          refName: 'master',
          after: 'da1560886d4f094c3e6c9ef40349f7d38b5d27d7',
          providerRepoId: '15',
          deleted: false,
        },
      ],
    });
    const tag = parseDelivery(
      'gitlab',
      'Tag Push Hook',
      JSON.parse(readFileSync(join(PAYLOADS, 'gitlab/gitlab-docs/webhook_events.tag_push.json'), 'utf8')),
    );
    expect(tag).toMatchObject({ kind: 'push', pushes: [{ refKind: 'tag', refName: 'v1.0.0' }] });
    const bb = parseDelivery(
      'bitbucket',
      'repo:push',
      JSON.parse(
        readFileSync(
          join(PAYLOADS, 'bitbucket/jenkins-bitbucket-branch-source/push-events/multipleChangesPayload.json'),
          'utf8',
        ),
      ),
    );
    expect(bb.kind === 'push' && bb.pushes.map((p) => `${p.refKind}:${p.refName}`)).toEqual([
      'branch:main',
      'branch:manchu',
      'tag:v0.1',
    ]);
    const deleted = parseDelivery(
      'github',
      'push',
      JSON.parse(readFileSync(join(PAYLOADS, 'github/drone-go-scm/push_branch_delete.json'), 'utf8')),
    );
    expect(deleted.kind === 'push' && deleted.pushes[0]?.deleted).toBe(true);
  });
});
