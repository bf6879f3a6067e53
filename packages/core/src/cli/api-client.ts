// The CLI's client of the REST API: where it is, the bearer token, and errors an operator can act on.
export const CLIENT_USAGE = `    project and deployment commands take --api URL (or OCORE_API_URL; default http://127.0.0.1:$API_PORT)
    and --json; the bearer token comes from OCORE_TOKEN or TOKEN (never the command line, where ps shows it)`;

export const COMMON = {
  api: { type: 'string' },
  json: { type: 'boolean', default: false },
} as const;

interface ApiError {
  code?: string;
  message?: string;
  issues?: Array<{ path?: string; message?: string }>;
}

/** Calls the REST API; a non-2xx answer becomes an error quoting the API's message and fields. */
export async function callApi(api: string, method: string, path: string, body?: unknown): Promise<unknown> {
  const token = process.env.OCORE_TOKEN ?? process.env.TOKEN;
  if (!token) throw new Error('set OCORE_TOKEN (or TOKEN) to a bearer token, e.g. one from `ocore token`');
  let res: Response;
  try {
    // The base may be given as `ocore start` prints it, ending in /api.
    res = await fetch(`${api.replace(/\/+$/, '').replace(/\/api$/, '')}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    throw new Error(`cannot reach the API at ${api}: ${(error as Error).cause ?? (error as Error).message}`);
  }
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined; // not JSON (a proxy's error page, say): the text is quoted below
  }
  if (!res.ok) {
    const error = (parsed ?? {}) as ApiError;
    const fields = (error.issues ?? [])
      .map((i) => `${i.path ?? ''}: ${i.message ?? ''}`)
      .filter((line) => !error.message?.includes(line))
      .map((line) => `\n  ${line}`)
      .join('');
    throw new Error(`${res.status} ${error.code ?? ''}: ${error.message ?? text}${fields}`);
  }
  return parsed;
}

export const apiUrl = (flag: string | undefined) =>
  flag ?? process.env.OCORE_API_URL ?? `http://127.0.0.1:${process.env.API_PORT ?? '3000'}`;

export function required(value: string | undefined, flag: string): string {
  if (!value) throw new Error(`--${flag} is required`);
  return value;
}

export interface Deployment {
  id: string;
  instanceId: string;
  ref: string;
  commitSha: string;
  trigger: string;
  status: string;
  statusReason: string | null;
  createdAt: string;
  steps?: Array<{ name: string; status: string; durationMs: number | null; log: string }>;
}

export const TERMINAL = new Set(['succeeded', 'failed', 'cancelled', 'superseded', 'skipped']);
export const deploymentLine = (d: Deployment) =>
  `${d.id}  ${d.status.padEnd(10)} ${d.ref} @ ${d.commitSha.slice(0, 7)}  instance ${d.instanceId}  ${d.trigger}  ${d.createdAt}`;

/** A deployment with its reason and steps; `logs` adds each step's log. */
export const deploymentDetails = (d: Deployment, logs = false) =>
  [
    deploymentLine(d),
    ...(d.statusReason ? [`  ${d.statusReason}`] : []),
    ...(d.steps ?? []).flatMap((s) => [
      `  ${s.name.padEnd(8)} ${s.status}${s.durationMs === null ? '' : ` ${s.durationMs} ms`}`,
      ...(logs && s.log
        ? s.log
            .trimEnd()
            .split('\n')
            .map((line) => `    | ${line}`)
        : []),
    ]),
  ].join('\n');
