/**
 * Registers the offline service worker (`/sw.js`, built by scripts/vite-csp.ts). Only production
 * builds register it: the dev server has no `sw.js`, and a worker left over from a build must not
 * answer dev requests, so dev unregisters any it finds.
 */
import { messageOf } from '../core/errors.ts';

/** The slice of `navigator.serviceWorker` this helper uses (a fake one in unit tests). */
export interface ServiceWorkerHost {
  register(url: string, options?: RegistrationOptions): Promise<ServiceWorkerRegistration>;
  getRegistrations(): Promise<readonly ServiceWorkerRegistration[]>;
}

export interface RegisterOptions {
  /** Defaults to `import.meta.env.PROD`. */
  production?: boolean;
  /** Defaults to `navigator.serviceWorker` (absent in insecure contexts and some private modes). */
  container?: ServiceWorkerHost;
  url?: string;
  /** Called with a sentence when registration fails; the app keeps working online. */
  onError?: (message: string) => void;
}

export type RegisterOutcome = 'registered' | 'skipped-dev' | 'unsupported' | 'failed';

function defaultContainer(): ServiceWorkerHost | undefined {
  return typeof navigator !== 'undefined' && 'serviceWorker' in navigator ? navigator.serviceWorker : undefined;
}

/** Registers `/sw.js` in production builds (scope `/`); in dev removes stale registrations instead. */
export async function registerServiceWorker(options: RegisterOptions = {}): Promise<RegisterOutcome> {
  const production = options.production ?? import.meta.env.PROD;
  const container = options.container ?? defaultContainer();
  if (!container) return 'unsupported';
  if (!production) {
    const registrations = await container.getRegistrations();
    await Promise.all(registrations.map((registration) => registration.unregister()));
    return 'skipped-dev';
  }
  try {
    await container.register(options.url ?? '/sw.js', { scope: '/', updateViaCache: 'none' });
    return 'registered';
  } catch (error) {
    const detail = messageOf(error);
    options.onError?.(`Offline use is unavailable because the service worker could not be installed (${detail}); the app still works while online.`);
    return 'failed';
  }
}
