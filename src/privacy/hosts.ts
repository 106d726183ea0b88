/**
 * The one list of origins, besides the app's own, that the app may contact: the Hugging Face hub
 * and the hosts its `/<repo>/resolve/<revision>/<file>` URLs redirect large files to. The CSP
 * (`connect-src`), the privacy panel and the network tests all read it from here.
 *
 * Sources: the hub's published domain list (https://huggingface.co/.well-known/meta.json:
 * `lfsDomains`, `cdnDomains`) and the redirects seen for LFS and Xet-backed files
 * (`cdn-lfs*.hf.co`, the older `cdn-lfs.huggingface.co`, `cas-bridge.xethub.hf.co`, and the
 * region-scoped `<region>.<provider>.cdn.hf.co`). Upload-only hosts (`transfer.xethub*.hf.co`)
 * are left out: the app never uploads.
 *
 * Pure data and string helpers: no DOM, so the Vite plugin (Node) and the page share it.
 */

/** CSP host sources; a leading `*.` matches any subdomain (one or more labels), as in CSP. */
export const MODEL_HOSTS: readonly string[] = [
  'https://huggingface.co',
  'https://cdn-lfs.huggingface.co',
  'https://cdn-lfs.hf.co',
  'https://cdn-lfs-us-1.hf.co',
  'https://cdn-lfs-eu-1.hf.co',
  'https://cas-bridge.xethub.hf.co',
  'https://*.cdn.hf.co',
];

/** Why an origin was contacted, as the privacy panel groups them. */
export type OriginKind = 'self' | 'model-host' | 'unexpected';

/** True when `origin` (scheme://host[:port]) matches the CSP host source `source`. */
export function matchesHostSource(origin: string, source: string): boolean {
  let url: URL;
  let pattern: { protocol: string; host: string; port: string };
  try {
    url = new URL(origin);
    const wildcard = source.includes('://*.');
    const parsed = new URL(source.replace('://*.', '://wildcard.'));
    pattern = { protocol: parsed.protocol, host: wildcard ? parsed.hostname.slice('wildcard'.length) : parsed.hostname, port: parsed.port };
  } catch {
    return false;
  }
  if (url.protocol !== pattern.protocol || url.port !== pattern.port) return false;
  // `pattern.host` keeps its leading dot for wildcards, so "evilcdn.hf.co" does not match "*.cdn.hf.co".
  return pattern.host.startsWith('.') ? url.hostname.endsWith(pattern.host) : url.hostname === pattern.host;
}

/** Classifies an origin: the app's own, an allowed model host, or one nothing should contact. */
export function classifyOrigin(origin: string, appOrigin: string, modelHosts: readonly string[] = MODEL_HOSTS): OriginKind {
  if (origin === appOrigin) return 'self';
  return modelHosts.some((source) => matchesHostSource(origin, source)) ? 'model-host' : 'unexpected';
}

/** True when the app may contact `origin` (its own origin or a model host). */
export function isAllowedOrigin(origin: string, appOrigin: string, modelHosts: readonly string[] = MODEL_HOSTS): boolean {
  return classifyOrigin(origin, appOrigin, modelHosts) !== 'unexpected';
}
