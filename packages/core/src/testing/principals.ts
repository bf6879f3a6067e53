import { PERMISSIONS, type Permission, type Principal } from '../auth/permissions.ts';

export function principal(orgId: string, permissions: readonly Permission[] = PERMISSIONS): Principal {
  return { userId: `user-of-${orgId}`, orgId, permissions: new Set(permissions) };
}
