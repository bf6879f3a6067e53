import { auditRouter } from './routers/audit.ts';
import { branchMappingsRouter } from './routers/branch-mappings.ts';
import { deploymentsRouter } from './routers/deployments.ts';
import { githubAppRouter } from './routers/github-app.ts';
import { instancesRouter } from './routers/instances.ts';
import { notificationsRouter } from './routers/notifications.ts';
import { orgRouter } from './routers/org.ts';
import { projectAccessRouter } from './routers/project-access.ts';
import { projectCfgRouter } from './routers/project-cfg.ts';
import { projectInstancesRouter } from './routers/project-instances.ts';
import { projectsRouter } from './routers/projects.ts';
import { repositoryRouter } from './routers/repository.ts';
import { webhookDeliveriesRouter } from './routers/webhook-deliveries.ts';
import { router } from './trpc.ts';

/** Every REST route's code is one hop from here: each file is named after its resource. */
export const appRouter = router({
  projects: projectsRouter,
  projectInstances: projectInstancesRouter,
  branchMappings: branchMappingsRouter,
  instances: instancesRouter,
  repository: repositoryRouter,
  deployments: deploymentsRouter,
  notifications: notificationsRouter,
  webhookDeliveries: webhookDeliveriesRouter,
  projectCfg: projectCfgRouter,
  audit: auditRouter,
  org: orgRouter,
  projectAccess: projectAccessRouter,
  githubApp: githubAppRouter,
});

export type AppRouter = typeof appRouter;
