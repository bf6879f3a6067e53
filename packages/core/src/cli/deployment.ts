// `ocore deployment …`: look at and stop one deployment, over the REST API.
import { parseArgs } from 'node:util';
import { apiUrl, COMMON, callApi, type Deployment, deploymentDetails } from './api-client.ts';

export const DEPLOYMENT_USAGE = `  ocore deployment show <deployment-id> [--logs]
                                   a deployment with its steps (and their logs)
  ocore deployment cancel <deployment-id>
                                   cancel a queued or running deployment (a running step stops at once)`;

function deploymentIdOf(positionals: string[], command: string): string {
  const [id, ...extra] = positionals;
  if (!id || extra.length > 0) throw new Error(`usage: ocore deployment ${command} <deployment-id>`);
  return encodeURIComponent(id);
}

async function show(args: string[]): Promise<string> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { ...COMMON, logs: { type: 'boolean', default: false } },
  });
  const d = (await callApi(
    apiUrl(values.api),
    'GET',
    `/api/deployments/${deploymentIdOf(positionals, 'show')}`,
  )) as Deployment;
  return values.json ? JSON.stringify(d, null, 2) : deploymentDetails(d, values.logs);
}

async function cancel(args: string[]): Promise<string> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: COMMON });
  const d = (await callApi(
    apiUrl(values.api),
    'POST',
    `/api/deployments/${deploymentIdOf(positionals, 'cancel')}/cancel`,
  )) as Deployment;
  return values.json ? JSON.stringify(d, null, 2) : deploymentDetails(d);
}

/** Runs `ocore deployment <sub-command>`; prints its output, or throws with what went wrong. */
export async function deploymentCommand(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  const run = { show, cancel }[sub ?? ''];
  if (!run) throw new Error(`unknown deployment command ${sub ?? '(none)'}; commands:\n${DEPLOYMENT_USAGE}`);
  process.stdout.write(`${await run(rest)}\n`);
}
