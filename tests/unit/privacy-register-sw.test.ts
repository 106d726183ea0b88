import { describe, expect, it } from 'vitest';
import { registerServiceWorker, type ServiceWorkerHost } from '../../src/privacy/register-sw.ts';

function fakeContainer(options: { failWith?: Error; existing?: number } = {}) {
  const calls: { url: string; options?: RegistrationOptions }[] = [];
  let unregistered = 0;
  const registrations = Array.from({ length: options.existing ?? 0 }, () => ({
    unregister: async () => {
      unregistered += 1;
      return true;
    },
  })) as unknown as ServiceWorkerRegistration[];
  const container: ServiceWorkerHost = {
    async register(url, registerOptions) {
      calls.push({ url, options: registerOptions });
      if (options.failWith) throw options.failWith;
      return {} as ServiceWorkerRegistration;
    },
    async getRegistrations() {
      return registrations;
    },
  };
  return { container, calls, unregistered: () => unregistered };
}

describe('registerServiceWorker', () => {
  it('registers /sw.js at the root scope in production builds', async () => {
    const fake = fakeContainer();
    expect(await registerServiceWorker({ production: true, container: fake.container })).toBe('registered');
    expect(fake.calls).toEqual([{ url: '/sw.js', options: { scope: '/', updateViaCache: 'none' } }]);
  });

  it('never registers in dev and removes registrations left by a build', async () => {
    const fake = fakeContainer({ existing: 2 });
    expect(await registerServiceWorker({ production: false, container: fake.container })).toBe('skipped-dev');
    expect(fake.calls).toEqual([]);
    expect(fake.unregistered()).toBe(2);
  });

  it('defaults to dev under Vitest (import.meta.env.PROD is false)', async () => {
    const fake = fakeContainer();
    expect(await registerServiceWorker({ container: fake.container })).toBe('skipped-dev');
  });

  it('reports a failed registration as a sentence and keeps going', async () => {
    const fake = fakeContainer({ failWith: new Error('SecurityError: insecure origin') });
    const messages: string[] = [];
    expect(await registerServiceWorker({ production: true, container: fake.container, onError: (m) => messages.push(m) })).toBe('failed');
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/^Offline use is unavailable .*insecure origin.*still works while online\.$/);
  });

  it('says unsupported where there is no service worker container (Node)', async () => {
    expect(await registerServiceWorker({ production: true })).toBe('unsupported');
  });
});
