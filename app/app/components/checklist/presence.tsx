import { memo } from 'react';
import { CONNECTION_HINTS, CONNECTION_LABELS, initials, type ConnectionState, type PresentPerson } from '~/utils/collab.ts';

const connectionTone: Record<ConnectionState, string> = {
  connected: 'bg-emerald-500',
  connecting: 'bg-amber-400 animate-pulse',
  reconnecting: 'bg-amber-500 animate-pulse',
  offline: 'bg-slate-400',
  refused: 'bg-red-500',
};

/** Always visible: connected, connecting, reconnecting, offline or refused, in words as well as colour. */
export function ConnectionIndicator({
  state,
  detail,
  keptOffline = false,
}: {
  state: ConnectionState;
  detail: string | null;
  /** A copy of this page is kept on this device: it opens even with no network. */
  keptOffline?: boolean;
}) {
  return (
    <div
      role="status"
      aria-label="Connection"
      data-state={state}
      data-kept-offline={keptOffline}
      title={`${CONNECTION_HINTS[state]}${keptOffline ? ' This checklist also opens on this device with no network.' : ''}`}
      className="flex items-center gap-2 rounded-full border border-slate-200 bg-white px-2.5 py-1 text-xs text-slate-700 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-200"
    >
      <span aria-hidden="true" className={`inline-block h-2 w-2 rounded-full ${connectionTone[state]}`} />
      <span>{CONNECTION_LABELS[state]}</span>
      {state === 'offline' || state === 'reconnecting' ? (
        <span className="text-slate-500 dark:text-slate-400">· changes saved on this device</span>
      ) : null}
      {state === 'refused' && detail ? <span className="text-slate-500 dark:text-slate-400">({detail})</span> : null}
      {keptOffline && state === 'connected' ? <span className="text-slate-500 dark:text-slate-400">· available offline</span> : null}
    </div>
  );
}

export function Avatar({ person, size = 'md' }: { person: Pick<PresentPerson, 'name' | 'color'>; size?: 'sm' | 'md' }) {
  return (
    <span
      aria-hidden="true"
      className={`inline-flex shrink-0 items-center justify-center rounded-full font-semibold text-white ring-2 ring-white dark:ring-slate-900 ${
        size === 'sm' ? 'h-5 w-5 text-[9px]' : 'h-6 w-6 text-[10px]'
      }`}
      style={{ backgroundColor: person.color }}
    >
      {initials(person.name)}
    </span>
  );
}

export function PresenceList({ people, selfId }: { people: PresentPerson[]; selfId: string }) {
  return (
    <ul aria-label="People here" className="flex flex-wrap justify-end gap-1.5">
      {people.map((person) => (
        <li
          key={person.id}
          className="flex items-center gap-1.5 rounded-full border border-slate-200 bg-white py-0.5 pl-0.5 pr-2.5 text-xs dark:border-slate-700 dark:bg-slate-900"
        >
          <Avatar person={person} />
          {person.name}
          {person.id === selfId ? <span className="text-slate-500"> (you)</span> : null}
        </li>
      ))}
    </ul>
  );
}

/** Small avatars beside an item others are on. */
export const ItemPresence = memo(function ItemPresence({ people, itemTitle }: { people: PresentPerson[]; itemTitle: string }) {
  if (people.length === 0) return null;
  return (
    <ul aria-label={`People on ${itemTitle}`} className="flex shrink-0 -space-x-1.5 self-center">
      {people.map((person) => (
        <li key={person.id} title={`${person.name} is on this item`}>
          <Avatar person={person} size="sm" />
          <span className="sr-only">{person.name}</span>
        </li>
      ))}
    </ul>
  );
});
