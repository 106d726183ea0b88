/** How often work that waits for the network is tried again. */
export const NETWORK_RETRY_MS = 15_000;

/**
 * Calls `retry` when the network may be back: on the browser's "online" event, and on a timer,
 * because a browser that never noticed it was offline (a blocked host, a captive portal) sends
 * no event. Returns a function that stops watching.
 */
export function whenNetworkMayBeBack(retry: () => void, everyMs = NETWORK_RETRY_MS): () => void {
  if (typeof window === 'undefined') return () => {};
  window.addEventListener('online', retry);
  const timer = setInterval(retry, everyMs);
  return () => {
    window.removeEventListener('online', retry);
    clearInterval(timer);
  };
}
