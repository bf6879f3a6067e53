import type { EntityManager } from '@mikro-orm/postgresql';
import type { Principal } from '../auth/permissions.ts';
import { invalid, notFound } from '../errors.ts';
import { withVersionCheck } from './db-errors.ts';
import { findProject } from './projects.ts';

export const CFG_MAX_BYTES = 64 * 1024;
const MAX_DEPTH = 32;
const KEY = /^[A-Za-z0-9_.:@$-]{1,128}$/;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
const isObject = (v: unknown): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `a/b/c` or `a.b.c` → ['a', 'b', 'c']; every segment a plain key. */
export function cfgPath(path: string | undefined): string[] {
  if (!path) return [];
  const segments = path.split(/[/.]/).filter((s) => s.length > 0);
  for (const segment of segments) {
    if (!KEY.test(segment) || ['__proto__', 'constructor', 'prototype'].includes(segment)) {
      throw invalid('path', `"${segment}" is not a valid key`);
    }
  }
  return segments;
}

function depth(value: unknown): number {
  if (Array.isArray(value)) return 1 + Math.max(0, ...value.map(depth));
  if (isObject(value)) return 1 + Math.max(0, ...Object.values(value).map(depth));
  return 0;
}

/** JSON Merge Patch (RFC 7386): objects merge, null removes a key, anything else replaces. */
export function mergePatch(target: Json | undefined, patch: Json): Json {
  if (!isObject(patch)) return patch;
  const result: Record<string, Json> = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

export async function getProjectCfg(
  em: EntityManager,
  principal: Principal,
  projectId: string,
  path?: string,
): Promise<unknown> {
  const project = await findProject(em, principal, projectId);
  let value: unknown = project.cfg ?? {};
  for (const segment of cfgPath(path)) {
    if (!isObject(value) || !(segment in value)) throw notFound(`cfg path "${path}"`);
    value = value[segment];
  }
  return value;
}

/** Merges `patch` into the project's cfg at `path` (intermediate objects are created). */
export async function mergeProjectCfg(
  em: EntityManager,
  principal: Principal,
  projectId: string,
  path: string | undefined,
  patch: unknown,
): Promise<unknown> {
  const segments = cfgPath(path);
  if (segments.length === 0 && !isObject(patch)) throw invalid('(body)', 'the cfg root must be a JSON object');
  const project = await findProject(em, principal, projectId);
  const root = (project.cfg ?? {}) as Json;
  const apply = (node: Json | undefined, rest: string[]): Json => {
    const [head, ...tail] = rest;
    if (head === undefined) return mergePatch(node, patch as Json);
    const object: Record<string, Json> = isObject(node) ? { ...node } : {};
    object[head] = apply(object[head], tail);
    return object;
  };
  const next = apply(root, segments) as Record<string, unknown>;
  if (depth(next) > MAX_DEPTH) throw invalid('(body)', `cfg is nested deeper than ${MAX_DEPTH} levels`);
  const size = Buffer.byteLength(JSON.stringify(next));
  if (size > CFG_MAX_BYTES) throw invalid('(body)', `cfg would be ${size} bytes; the limit is ${CFG_MAX_BYTES}`);
  project.cfg = next;
  await withVersionCheck('project', () => em.flush());
  return getProjectCfg(em, principal, projectId, path);
}
