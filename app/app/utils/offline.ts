/*
 * The browser side of working offline: the service worker (production builds only, see service-worker/) and
 * the browser's own online/offline signal.
 */
import { useEffect, useState, useSyncExternalStore } from 'react';
import type { WorkerReply, WorkerRequest } from '../../service-worker/rules.ts';

const serviceWorkerEnabled = () => import.meta.env.PROD && typeof navigator !== 'undefined' && 'serviceWorker' in navigator;

export function registerServiceWorker(): void {
  if (!serviceWorkerEnabled()) return;
  navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch((error: unknown) => {
    // Everything works without it, except opening pages with no network.
    console.warn('The offline service worker could not be installed:', error);
  });
}

/**
 * Asks the service worker to keep a copy of `url` for opening without a network (pages reached by
 * client-side navigation never passed through it as documents). Resolves to whether a copy is kept.
 */
async function keepPageOffline(url: string, timeoutMs = 30_000): Promise<boolean> {
  if (!serviceWorkerEnabled()) return false;
  const registration = await navigator.serviceWorker.ready;
  const worker = registration.active;
  if (!worker) return false;
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    const timer = setTimeout(() => resolve(false), timeoutMs);
    channel.port1.onmessage = (event: MessageEvent<WorkerReply>) => {
      clearTimeout(timer);
      resolve(event.data?.kept === true);
    };
    worker.postMessage({ type: 'keep-offline', url } satisfies WorkerRequest, [channel.port2]);
  });
}

/** Whether this page (its URL, without the hash) opens on this device with no network. */
export function useKeptOffline(url: string): boolean {
  const [kept, setKept] = useState(false);
  useEffect(() => {
    let cancelled = false;
    setKept(false);
    const keep = () =>
      void keepPageOffline(url).then(
        (result) => !cancelled && setKept(result),
        () => {},
      );
    keep();
    // Back online: refresh the copy (it was made with the data of the time).
    window.addEventListener('online', keep);
    return () => {
      cancelled = true;
      window.removeEventListener('online', keep);
    };
  }, [url]);
  return kept;
}

function subscribeOnline(onChange: () => void): () => void {
  window.addEventListener('online', onChange);
  window.addEventListener('offline', onChange);
  return () => {
    window.removeEventListener('online', onChange);
    window.removeEventListener('offline', onChange);
  };
}

/** The browser's online signal; the server render (and hydration) assumes online. */
export function useBrowserOnline(): boolean {
  return useSyncExternalStore(
    subscribeOnline,
    () => navigator.onLine,
    () => true,
  );
}
