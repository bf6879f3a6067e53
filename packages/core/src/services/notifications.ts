import type { EntityManager } from '@mikro-orm/postgresql';
import type { Principal } from '../auth/permissions.ts';
import { NotificationSchema, OrganizationSchema } from '../db/entities.ts';
import type { SecretBox } from '../secrets/secret-box.ts';
import { ensureOrganization } from './organizations.ts';

export interface NotificationSettingsView {
  url: string | null;
  hasSecret: boolean;
}

export async function getNotificationSettings(
  em: EntityManager,
  principal: Principal,
): Promise<NotificationSettingsView> {
  const org = await em.findOne(OrganizationSchema, { id: principal.orgId });
  return { url: org?.notificationUrl ?? null, hasSecret: Boolean(org?.notificationSecretSealed) };
}

/** Where deployment events go; the secret signs them (HMAC-SHA256) and is never shown again. */
export async function setNotificationSettings(
  em: EntityManager,
  principal: Principal,
  input: { url: string | null; secret?: string | null },
  secrets: SecretBox,
): Promise<NotificationSettingsView> {
  await ensureOrganization(em, principal.orgId);
  const org = await em.findOneOrFail(OrganizationSchema, { id: principal.orgId });
  org.notificationUrl = input.url;
  if (input.secret !== undefined) org.notificationSecretSealed = input.secret ? secrets.seal(input.secret) : null;
  await em.flush();
  return { url: org.notificationUrl ?? null, hasSecret: Boolean(org.notificationSecretSealed) };
}

export async function listNotifications(
  em: EntityManager,
  principal: Principal,
  input: { limit: number; offset: number },
) {
  const [items, total] = await em.findAndCount(
    NotificationSchema,
    { org: principal.orgId },
    { orderBy: { createdAt: 'desc', id: 'desc' }, limit: input.limit, offset: input.offset },
  );
  return {
    notifications: items.map((n) => ({
      id: n.id,
      event: n.event,
      deploymentId: n.deployment.id,
      payload: n.payload,
      createdAt: n.createdAt.toISOString(),
      deliveredAt: n.deliveredAt ? n.deliveredAt.toISOString() : null,
      responseStatus: n.responseStatus ?? null,
      error: n.error ?? null,
    })),
    total,
  };
}
