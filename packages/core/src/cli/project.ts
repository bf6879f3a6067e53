// `ocore project …`: the guide's operator commands, as calls to the REST API of a running oCore.
import { parseArgs } from 'node:util';
import {
  apiUrl,
  COMMON,
  callApi,
  type Deployment,
  deploymentDetails,
  deploymentLine,
  required,
  TERMINAL,
} from './api-client.ts';

export const PROJECT_USAGE = `  ocore project connect-repo <project-id> --url URL [--branch NAME] [--provider github|gitlab|bitbucket]
                                   [--access-token-env VAR]
                                   connect the project's repository (deploy key + webhook); without an
                                   access token, prints the deploy key and webhook to add by hand
  ocore project map-branch <project-id> --branch PATTERN --environment INSTANCE_ID [--priority N]
                                   deploy pushes to that branch (or glob) to the instance
  ocore project mappings <project-id>
                                   list the project's branch mappings
  ocore project list               list the org's projects
  ocore project deploy <project-id> --instance ID (--branch NAME | --tag NAME | --commit SHA) [--wait]
                                   deploy by hand; --wait follows it to the end (exit 1 unless it succeeded)
  ocore project deployments <project-id> [--status S] [--limit N]
                                   the project's deployments, newest first`;

function projectIdOf(positionals: string[], command: string): string {
  const [id, ...extra] = positionals;
  if (!id || extra.length > 0) throw new Error(`usage: ocore project ${command} <project-id> …`);
  return id;
}

interface Repository {
  id: string;
  provider: string;
  repoUrl: string;
  defaultBranch?: string | null;
  manualSetup?: {
    deployKey: string;
    webhookUrl: string;
    webhookSecret: string;
    webhookContentType: string;
    webhookEvents: string[];
    instructions: string[] | string;
  };
}

async function connectRepo(args: string[]): Promise<string> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      ...COMMON,
      url: { type: 'string' },
      branch: { type: 'string' },
      provider: { type: 'string' },
      'access-token-env': { type: 'string' },
    },
  });
  const projectId = projectIdOf(positionals, 'connect-repo');
  const tokenVar = values['access-token-env'];
  const accessToken = tokenVar ? process.env[tokenVar] : undefined;
  if (tokenVar && !accessToken) throw new Error(`--access-token-env: ${tokenVar} is not set`);
  const repo = (await callApi(apiUrl(values.api), 'POST', `/api/projects/${encodeURIComponent(projectId)}/repository`, {
    repositoryUrl: required(values.url, 'url'),
    ...(values.branch ? { branch: values.branch } : {}),
    ...(values.provider ? { provider: values.provider } : {}),
    ...(accessToken ? { accessToken } : {}),
  })) as Repository;
  if (values.json) return JSON.stringify(repo, null, 2);
  const lines = [`connected ${repo.repoUrl} (${repo.provider}) to project ${projectId}; repository ${repo.id}`];
  const setup = repo.manualSetup;
  if (setup) {
    const steps = Array.isArray(setup.instructions) ? setup.instructions : [setup.instructions];
    lines.push(
      'No access token was given, so add these on the provider yourself (the secret is shown only now):',
      `  deploy key (read-only): ${setup.deployKey}`,
      `  webhook URL:            ${setup.webhookUrl}`,
      `  webhook secret:         ${setup.webhookSecret}`,
      `  content type:           ${setup.webhookContentType}`,
      `  events:                 ${setup.webhookEvents.join(', ')}`,
      ...steps.map((s) => `  - ${s}`),
    );
  } else {
    lines.push('deploy key and webhook were created on the provider');
  }
  return lines.join('\n');
}

interface Mapping {
  branchPattern: string;
  instanceId: string;
  priority: number;
}

const mappingLines = (mappings: Mapping[]) =>
  mappings.length === 0
    ? 'no branch mappings'
    : mappings.map((m) => `${m.branchPattern} -> ${m.instanceId} (priority ${m.priority})`).join('\n');

async function mapBranch(args: string[]): Promise<string> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { ...COMMON, branch: { type: 'string' }, environment: { type: 'string' }, priority: { type: 'string' } },
  });
  const projectId = projectIdOf(positionals, 'map-branch');
  const priority = values.priority === undefined ? undefined : Number(values.priority);
  if (priority !== undefined && !Number.isInteger(priority)) throw new Error('--priority must be an integer');
  const result = (await callApi(
    apiUrl(values.api),
    'PUT',
    `/api/projects/${encodeURIComponent(projectId)}/branch-mappings`,
    {
      branch: required(values.branch, 'branch'),
      environmentId: required(values.environment, 'environment'),
      ...(priority === undefined ? {} : { priority }),
    },
  )) as Mapping[];
  return values.json ? JSON.stringify(result, null, 2) : mappingLines(result);
}

async function listMappings(args: string[]): Promise<string> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: COMMON });
  const projectId = projectIdOf(positionals, 'mappings');
  const result = (await callApi(
    apiUrl(values.api),
    'GET',
    `/api/projects/${encodeURIComponent(projectId)}/branch-mappings`,
  )) as Mapping[];
  return values.json ? JSON.stringify(result, null, 2) : mappingLines(result);
}

interface Project {
  id: string;
  name: string;
  slug: string;
  gitRepository?: { repoUrl?: string } | null;
}

async function listProjects(args: string[]): Promise<string> {
  const { values } = parseArgs({ args, options: COMMON });
  const result = (await callApi(apiUrl(values.api), 'GET', '/api/projects?limit=500')) as {
    projects: Project[];
    total: number;
  };
  if (values.json) return JSON.stringify(result, null, 2);
  const rows = result.projects.map((p) => `${p.id}  ${p.slug}  ${p.gitRepository?.repoUrl ?? '(no repository)'}`);
  return [...rows, `${result.total} project(s)`].join('\n');
}

async function deploy(args: string[]): Promise<string> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      ...COMMON,
      instance: { type: 'string' },
      branch: { type: 'string' },
      tag: { type: 'string' },
      commit: { type: 'string' },
      wait: { type: 'boolean', default: false },
    },
  });
  const projectId = projectIdOf(positionals, 'deploy');
  const refs = [values.branch, values.tag, values.commit].filter((v) => v !== undefined);
  if (refs.length !== 1) throw new Error('give exactly one of --branch, --tag or --commit');
  const api = apiUrl(values.api);
  let deployment = (await callApi(api, 'POST', `/api/projects/${encodeURIComponent(projectId)}/deployments`, {
    instanceId: required(values.instance, 'instance'),
    ...(values.branch ? { branch: values.branch } : {}),
    ...(values.tag ? { tag: values.tag } : {}),
    ...(values.commit ? { commitSha: values.commit } : {}),
  })) as Deployment;
  while (values.wait && !TERMINAL.has(deployment.status)) {
    await new Promise((r) => setTimeout(r, 1000));
    deployment = (await callApi(api, 'GET', `/api/deployments/${deployment.id}`)) as Deployment;
  }
  const output = values.json ? JSON.stringify(deployment, null, 2) : deploymentDetails(deployment);
  if (values.wait && deployment.status !== 'succeeded') {
    process.stdout.write(`${output}\n`);
    throw new Error(`deployment ${deployment.id} ended ${deployment.status}`);
  }
  return output;
}

async function listDeployments(args: string[]): Promise<string> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { ...COMMON, status: { type: 'string' }, limit: { type: 'string', default: '20' } },
  });
  const projectId = projectIdOf(positionals, 'deployments');
  const query = new URLSearchParams({ limit: values.limit, ...(values.status ? { status: values.status } : {}) });
  const result = (await callApi(
    apiUrl(values.api),
    'GET',
    `/api/projects/${encodeURIComponent(projectId)}/deployments?${query}`,
  )) as { deployments: Deployment[]; total: number };
  if (values.json) return JSON.stringify(result, null, 2);
  return [...result.deployments.map(deploymentLine), `${result.total} deployment(s)`].join('\n');
}

/** Runs `ocore project <sub-command>`; prints its output, or throws with what went wrong. */
export async function projectCommand(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  const run = {
    'connect-repo': connectRepo,
    'map-branch': mapBranch,
    mappings: listMappings,
    list: listProjects,
    deploy,
    deployments: listDeployments,
  }[sub ?? ''];
  if (!run) throw new Error(`unknown project command ${sub ?? '(none)'}; commands:\n${PROJECT_USAGE}`);
  process.stdout.write(`${await run(rest)}\n`);
}
