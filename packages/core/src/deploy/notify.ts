import { createHmac } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { type Deployment, NotificationSchema, OrganizationSchema } from '../db/entities.ts';
import type { Logger } from '../log.ts';
import type { SecretBox } from '../secrets/secret-box.ts';

export type DeploymentEvent = 'deployment.started' | 'deployment.succeeded' | 'deployment.failed';

/** The body of a deployment notification. */
export function notificationPayload(event: DeploymentEvent, d: Deployment, detailsUrl: string) {
  return {
    event,
    deployment: {
      id: d.id,
      projectId: d.project.id,
      instanceId: d.instance.id,
      ref: d.ref,
      commitSha: d.commitSha,
      trigger: d.trigger,
      status: d.status,
      statusReason: d.statusReason ?? null,
      url: detailsUrl,
    },
    sentAt: new Date().toISOString(),
  };
}

/**
 * Records a deployment event and POSTs it to the org's notification URL,
 * signed: `X-OCore-Signature-256: sha256=<HMAC-SHA256(secret, body)>`.
 * A receiver that is down never affects the deployment.
 */
export async function notify(
  em: EntityManager,
  event: DeploymentEvent,
  deployment: Deployment,
  detailsUrl: string,
  deps: { secrets: SecretBox; log: Logger },
): Promise<void> {
  const project = deployment.project;
  const org = await em.findOne(OrganizationSchema, { id: project.org.id });
  if (!org) return;
  const payload = notificationPayload(event, deployment, detailsUrl);
  const record = em.create(NotificationSchema, { org, event, deployment, payload });
  await em.flush();
  if (!org.notificationUrl) return;
  const body = JSON.stringify(payload);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'x-ocore-event': event,
    'user-agent': 'oCore-Notifications',
  };
  if (org.notificationSecretSealed) {
    const secret = deps.secrets.open(org.notificationSecretSealed);
    headers['x-ocore-signature-256'] = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
  }
  try {
    const response = await fetch(org.notificationUrl, {
      method: 'POST',
      headers,
      body,
      signal: AbortSignal.timeout(5_000),
    });
    record.responseStatus = response.status;
    record.deliveredAt = new Date();
  } catch (error) {
    record.error = (error as Error).message;
    deps.log.warn({ event, deploymentId: deployment.id, err: error }, 'notification not delivered');
  }
  await em.flush();
}
