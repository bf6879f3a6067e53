// Polling 10,000 GitHub repositories every 60 s: how many requests are not answered 304 (the ones that
// count against an installation's rate limit of 5,000/hour) when nothing changes. Uses the GitHub
// adapter against the stateful GitHub fake (ETag + 304 as GitHub documents). Run: pnpm bench:polling
import { createProviderFactory, DEFAULT_PROVIDER_SETTINGS } from '@ocore/core';
import { GitHubFake } from '../test/fakes/github.ts';

const REPOS = Number(process.env.BENCH_REPOS ?? 10_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONCURRENCY = 32;
const TOKEN = 'ghp_bench000000000000000000000000000000';

const github = new GitHubFake();
await github.start();
github.tokens.set(TOKEN, { scopes: ['repo'], admin: true });
const repos = Array.from({ length: REPOS }, (_, i) =>
  github.addRepo('acme', `repo-${i}`, {
    branches: [
      { name: 'main', sha: `${i}`.padStart(40, 'a') },
      { name: 'staging', sha: 'b'.repeat(40) },
    ],
  }),
);
const provider = createProviderFactory({ ...DEFAULT_PROVIDER_SETTINGS, githubApiUrl: github.url })('github', {
  apiBaseUrl: github.url,
  token: TOKEN,
});
const etags = new Map<number, string[]>();

async function round(): Promise<{ requests: number; notModified: number; seconds: number }> {
  const started = performance.now();
  const before = github.notModified;
  let requests = 0;
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < repos.length) {
        const repo = repos[next++];
        if (!repo) break;
        const answer = await provider.pollBranches({ owner: repo.owner, name: repo.name }, etags.get(repo.id) ?? []);
        if (answer.supported) {
          requests += answer.requests;
          if (!answer.notModified) etags.set(repo.id, answer.etags);
        }
      }
    }),
  );
  return { requests, notModified: github.notModified - before, seconds: (performance.now() - started) / 1000 };
}

console.log(`polling: ${REPOS} repositories, ${CONCURRENCY} polls at a time, nothing changes after the first round`);
const results = [];
for (let i = 0; i <= ROUNDS; i++) results.push(await round());
for (const [i, r] of results.entries()) {
  console.log(
    `round ${i}: ${r.requests} requests, ${r.notModified} answered 304, ${r.requests - r.notModified} counted against the rate limit, ${r.seconds.toFixed(1)} s`,
  );
}
const steady = results.slice(1);
const counted = steady.reduce((sum, r) => sum + (r.requests - r.notModified), 0) / steady.length;
const slowest = Math.max(...steady.map((r) => r.seconds));
console.log(
  `steady state: ${counted} counted requests per round → ${counted * 60} per hour at a 60 s interval (limit 5,000/hour: ${counted * 60 <= 5000 ? 'met' : 'MISSED'}); a round takes ${slowest.toFixed(1)} s (fits 60 s: ${slowest <= 60 ? 'yes' : 'NO'})`,
);
console.log(
  `the first round (${results[0]?.requests} counted requests) happens once, when polling is turned on; ETags are kept in the database across restarts`,
);
await github.stop();
process.exit(0);
