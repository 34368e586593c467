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
export type ConnectionState = 'connected' | 'connecting' | 'reconnecting' | 'offline' | 'refused';

/**
 * What the page shows: "connecting" for the first attempt only; "reconnecting" once a connection was lost
 * or an attempt failed while the browser is online; "offline" when the browser says so. In both of the
 * latter, edits are kept on this device and sent when the connection returns.
 */
export function connectionState(input: {
  status: ProviderStatus;
  failedAttempts: number;
  browserOnline: boolean;
  refused: boolean;
  everConnected?: boolean;
}): ConnectionState {
  if (input.refused) return 'refused';
  // The browser knows before the socket does (a dead socket takes up to 30 s to time out).
  if (!input.browserOnline) return 'offline';
  if (input.status === 'connected') return 'connected';
  if (input.status === 'connecting' && input.failedAttempts === 0 && !input.everConnected) return 'connecting';
  return 'reconnecting';
}

export const CONNECTION_LABELS: Record<ConnectionState, string> = {
  connected: 'Connected',
  connecting: 'Connecting…',
  reconnecting: 'Reconnecting…',
  offline: 'Offline',
  refused: 'Disconnected by the server',
};

/** The longer explanation under the connection label (a tooltip and screen-reader description). */
export const CONNECTION_HINTS: Record<ConnectionState, string> = {
  connected: 'Changes are shared as you make them.',
  connecting: 'Opening the live checklist.',
  reconnecting: 'Your changes are kept on this device and sent when the connection returns.',
  offline: 'Your changes are kept on this device and sent when the connection returns.',
  refused: 'The server closed the connection.',
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

/** A person on the page and the item they are on (awareness field `focusItemId`), if any. */
export interface PresentPerson extends PresenceUser {
  focusItemId: string | null;
}

/**
 * Awareness states to one entry per person (several tabs of one user count once, the first tab with a
 * focused item wins), the local user first.
 */
export function presentUsers(states: Map<number, Record<string, unknown>>, selfId: string): PresentPerson[] {
  const byId = new Map<string, PresentPerson>();
  for (const state of states.values()) {
    const user = state.user as Partial<PresenceUser> | undefined;
    if (!user || typeof user.id !== 'string' || typeof user.name !== 'string') continue;
    const focusItemId = typeof state.focusItemId === 'string' ? state.focusItemId : null;
    const known = byId.get(user.id);
    if (known) {
      if (!known.focusItemId && focusItemId) known.focusItemId = focusItemId;
      continue;
    }
    byId.set(user.id, {
      id: user.id,
      name: user.name,
      color: typeof user.color === 'string' ? user.color : userColor(user.id),
      focusItemId,
    });
  }
  return [...byId.values()].sort((a, b) => (a.id === selfId ? -1 : b.id === selfId ? 1 : a.name.localeCompare(b.name)));
}

/** Who (other than `selfId`) is on which item: itemId -> people, for the small avatars beside rows. */
export function peopleByItem(people: PresentPerson[], selfId: string): Map<string, PresentPerson[]> {
  const result = new Map<string, PresentPerson[]>();
  for (const person of people) {
    if (person.id === selfId || !person.focusItemId) continue;
    const list = result.get(person.focusItemId) ?? [];
    list.push(person);
    result.set(person.focusItemId, list);
  }
  return result;
}

export function initials(name: string): string {
  return name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((part) => part[0]!.toUpperCase())
    .join('');
}

/** The local IndexedDB name of a checklist's offline copy: per user, so people sharing a browser never mix. */
export function offlineStoreName(userId: string, checklistId: string): string {
  return `tieout:${userId}:${checklistId}`;
}

/** Seconds until a JWT `exp`, minus a margin, for refreshing the collab token before it runs out. */
export function refreshDelayMs(expiresAt: number | undefined, nowMs: number, marginSeconds = 60): number | null {
  if (!expiresAt) return null;
  return Math.max(5_000, (expiresAt - marginSeconds) * 1000 - nowMs);
}
