/** Pure helpers for the live checklist page (shared by server loader and browser). */

/**
 * The websocket base URL the browser connects to. A configured COLLAB_URL wins; otherwise the collab
 * server runs in this process, reached on the host the browser used (ws for http, wss for https).
 */
export function collabBaseUrl(requestUrl: string, configured: string | undefined, forwardedProto?: string | null): string {
  if (configured) return configured.replace(/^http/, 'ws').replace(/\/+$/, '');
  const url = new URL(requestUrl);
  const proto = forwardedProto?.split(',')[0]?.trim() || url.protocol.replace(':', '');
  return `${proto === 'https' ? 'wss' : 'ws'}://${url.host}`;
}

export type ProviderStatus = 'connected' | 'connecting' | 'disconnected';
export type ConnectionState = 'connected' | 'connecting' | 'offline' | 'refused';

/**
 * What the page shows: "connecting" only for a first attempt; once an attempt failed, or the browser
 * is offline, the user is working offline (edits are kept and sent on reconnect).
 */
export function connectionState(input: {
  status: ProviderStatus;
  failedAttempts: number;
  browserOnline: boolean;
  refused: boolean;
}): ConnectionState {
  if (input.refused) return 'refused';
  // The browser knows before the socket does (a dead socket takes up to 30 s to time out).
  if (!input.browserOnline) return 'offline';
  if (input.status === 'connected') return 'connected';
  if (input.status === 'connecting' && input.failedAttempts === 0) return 'connecting';
  return 'offline';
}

export const CONNECTION_LABELS: Record<ConnectionState, string> = {
  connected: 'Connected',
  connecting: 'Connecting…',
  offline: 'Offline: changes will sync when the connection returns',
  refused: 'Disconnected by the server',
};

const PALETTE = ['#0ea5e9', '#8b5cf6', '#f97316', '#10b981', '#ec4899', '#eab308', '#6366f1', '#14b8a6', '#ef4444', '#84cc16'];

/** A stable colour per user, so the same person has the same caret and presence colour everywhere. */
export function userColor(userId: string): string {
  let hash = 0;
  for (let i = 0; i < userId.length; i++) hash = (hash * 31 + userId.charCodeAt(i)) >>> 0;
  return PALETTE[hash % PALETTE.length]!;
}

export interface PresenceUser {
  id: string;
  name: string;
  color: string;
}

/** Awareness states to one entry per person (several tabs of one user count once), the local user first. */
export function presentUsers(states: Map<number, Record<string, unknown>>, selfId: string): PresenceUser[] {
  const byId = new Map<string, PresenceUser>();
  for (const state of states.values()) {
    const user = state.user as Partial<PresenceUser> | undefined;
    if (!user || typeof user.id !== 'string' || typeof user.name !== 'string') continue;
    if (!byId.has(user.id)) byId.set(user.id, { id: user.id, name: user.name, color: typeof user.color === 'string' ? user.color : userColor(user.id) });
  }
  return [...byId.values()].sort((a, b) => (a.id === selfId ? -1 : b.id === selfId ? 1 : a.name.localeCompare(b.name)));
}

/** Seconds until a JWT `exp`, minus a margin, for refreshing the collab token before it runs out. */
export function refreshDelayMs(expiresAt: number | undefined, nowMs: number, marginSeconds = 60): number | null {
  if (!expiresAt) return null;
  return Math.max(5_000, (expiresAt - marginSeconds) * 1000 - nowMs);
}

/** A readable message from a doc-model error (zod issues or ChecklistError). */
export function describeEditError(error: unknown): string {
  if (error && typeof error === 'object' && 'issues' in error && Array.isArray((error as { issues: unknown }).issues)) {
    const first = (error as { issues: { message?: string }[] }).issues[0];
    if (first?.message) return first.message;
  }
  if (error instanceof Error) return error.message;
  return 'The change could not be made';
}
