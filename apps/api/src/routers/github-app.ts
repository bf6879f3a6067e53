import {
  completeInstallation,
  githubAppSettings,
  installUrl,
  listInstallations,
  removeInstallation,
} from '@ocore/core';
import { z } from 'zod';
import { publicRoute, route } from '../routes.ts';
import { queryInt } from '../schemas.ts';
import { router } from '../trpc.ts';

const tags = ['github-app'];
const Installation = z
  .object({
    installation_id: z.number().int(),
    account_login: z.string(),
    account_type: z.enum(['user', 'organization']),
    created_at: z.string(),
  })
  .meta({ id: 'GithubInstallation' });

export const githubAppRouter = router({
  settings: route({
    permission: 'view:projects',
    method: 'GET',
    path: '/settings/github-app',
    summary: 'View GitHub App configuration',
    description: 'Never returns a secret.',
    tags,
    input: z.strictObject({}),
    output: z
      .object({
        configured: z.boolean(),
        appId: z.string().nullable(),
        slug: z.string().nullable(),
        clientId: z.string().nullable().optional(),
        installUrl: z.string().nullable(),
        webUrl: z.string().nullable(),
      })
      .meta({ id: 'GithubAppSettings' }),
    run: async (ctx) => githubAppSettings(ctx.repositories.githubApp, ctx.principal),
  }),
  install: route({
    permission: 'manage:org_settings',
    method: 'GET',
    path: '/settings/github-app/install',
    summary: 'Start installing the GitHub App',
    description: "The GitHub install URL, with a signed `state` bound to the caller's organization (valid 10 minutes).",
    tags,
    input: z.strictObject({}),
    output: z.object({ installUrl: z.string() }),
    run: async (ctx) => installUrl(ctx.repositories.githubApp, ctx.principal),
  }),
  callback: publicRoute({
    path: '/settings/github-app/callback',
    summary: 'GitHub App installation callback',
    description:
      "Where GitHub redirects after an installation. Verifies the state and the installation (GET /app/installations/{id} with the app's JWT), then records it for the state's organization.",
    tags,
    input: z.strictObject({
      installation_id: queryInt(1, Number.MAX_SAFE_INTEGER),
      setup_action: z.string().max(50).optional(),
      state: z.string().min(1).max(2000),
    }),
    output: Installation,
    run: (ctx, input) =>
      completeInstallation(ctx.em, ctx.repositories.githubApp, {
        installationId: input.installation_id,
        state: input.state,
      }),
  }),
  installations: route({
    permission: 'view:projects',
    method: 'GET',
    path: '/settings/github-app/installations',
    summary: 'List GitHub App installations',
    description: 'The active installations of the organization.',
    tags,
    input: z.strictObject({}),
    output: z.object({ installations: z.array(Installation) }),
    run: (ctx) => listInstallations(ctx.em, ctx.principal),
  }),
  removeInstallation: route({
    permission: 'manage:org_settings',
    method: 'DELETE',
    path: '/settings/github-app/installations/{installationId}',
    summary: 'Remove a GitHub App installation',
    description:
      'Soft-deletes the record in oCore; to uninstall the app from the GitHub account, use GitHub’s settings.',
    tags,
    status: 204,
    input: z.strictObject({ installationId: queryInt(1, Number.MAX_SAFE_INTEGER) }),
    output: z.void(),
    run: (ctx, input) => removeInstallation(ctx.em, ctx.principal, input.installationId, ctx.repositories.githubApp),
  }),
});
