import { forbidden } from '../errors.ts';

export const PERMISSIONS = ['view:projects', 'manage:projects', 'manage:org_settings'] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** Who is calling: the verified token's subject and org, with permissions from their membership. */
export interface Principal {
  userId: string;
  orgId: string;
  permissions: ReadonlySet<Permission>;
  /** The membership role; set once the membership was resolved (see auth/access.ts). */
  role?: 'owner' | 'admin' | 'developer' | 'viewer';
  /** Teams the user belongs to in the org, for per-project access rules. */
  teamIds?: readonly string[];
}

/** Permissions that imply others: whoever may manage projects may view them. */
const IMPLIES: Partial<Record<Permission, Permission[]>> = {
  'manage:projects': ['view:projects'],
};

/**
 * The one place that decides whether a principal holds a permission.
 * Everything that checks access goes through here, so the source of
 * permissions (token claims today, org memberships later) can change in one spot.
 */
export function hasPermission(principal: Principal, permission: Permission): boolean {
  if (principal.permissions.has(permission)) return true;
  for (const held of principal.permissions) {
    if (IMPLIES[held]?.includes(permission)) return true;
  }
  return false;
}

export function requirePermission(principal: Principal, permission: Permission): void {
  if (!hasPermission(principal, permission)) {
    throw forbidden(`missing permission ${permission}`);
  }
}
