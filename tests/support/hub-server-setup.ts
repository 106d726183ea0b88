/** Vitest globalSetup (browser project): starts the hub mimic and hands its URL to the tests. */
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { FIXTURE_HUB_REVISION, fixtureHubRepos, startHubServer } from './hub-server.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    hubUrl: string;
    hubRevision: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startHubServer({ repos: fixtureHubRepos(join(import.meta.dirname, '../..')), revision: FIXTURE_HUB_REVISION });
  project.provide('hubUrl', server.url);
  project.provide('hubRevision', FIXTURE_HUB_REVISION);
  return () => server.close();
}
