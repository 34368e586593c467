import { describe, expect, it } from 'vitest';
import { collabBaseUrl, connectionState, offlineStoreName, peopleByItem, presentUsers, refreshDelayMs, userColor } from '../app/utils/collab.ts';

describe('collabBaseUrl', () => {
  it('uses the host the browser used, ws for http and wss for https', () => {
    expect(collabBaseUrl('http://localhost:3000/checklists/x', undefined)).toBe('ws://localhost:3000');
    expect(collabBaseUrl('https://tieout.example/checklists/x', undefined)).toBe('wss://tieout.example');
  });
  it('honours X-Forwarded-Proto from a TLS-terminating proxy', () => {
    expect(collabBaseUrl('http://tieout.example/x', undefined, 'https, http')).toBe('wss://tieout.example');
  });
  it('prefers a configured collab server and normalises it', () => {
    expect(collabBaseUrl('http://localhost:3000/x', 'https://collab.example/')).toBe('wss://collab.example');
    expect(collabBaseUrl('http://localhost:3000/x', 'ws://127.0.0.1:4000')).toBe('ws://127.0.0.1:4000');
  });
});

describe('connectionState', () => {
  const base = { status: 'connecting' as const, failedAttempts: 0, browserOnline: true, refused: false };
  it('is connecting on a first attempt only', () => {
    expect(connectionState(base)).toBe('connecting');
    expect(connectionState({ ...base, failedAttempts: 2 })).toBe('reconnecting');
    expect(connectionState({ ...base, everConnected: true })).toBe('reconnecting');
  });
  it('is reconnecting when the socket dropped, offline when the browser is offline', () => {
    expect(connectionState({ ...base, status: 'disconnected' })).toBe('reconnecting');
    expect(connectionState({ ...base, browserOnline: false })).toBe('offline');
    expect(connectionState({ ...base, status: 'connected', browserOnline: false })).toBe('offline');
  });
  it('is connected once the socket is open, and refused after a permanent close', () => {
    expect(connectionState({ ...base, status: 'connected', failedAttempts: 3 })).toBe('connected');
    expect(connectionState({ ...base, status: 'disconnected', refused: true })).toBe('refused');
  });
});

describe('presentUsers', () => {
  it('lists each person once, yourself first, and skips states without a user', () => {
    const states = new Map<number, Record<string, unknown>>([
      [1, { user: { id: 'b', name: 'Zoe', color: '#000' } }],
      [2, { user: { id: 'a', name: 'Eddie', color: '#111' } }],
      [3, { user: { id: 'b', name: 'Zoe', color: '#000' } }],
      [4, {}],
      [5, { user: { id: 'c', name: 'Anna' } }],
    ]);
    const people = presentUsers(states, 'a');
    expect(people.map((person) => person.name)).toEqual(['Eddie', 'Anna', 'Zoe']);
    expect(people[1]!.color).toBe(userColor('c'));
  });
  it('carries the item each person is on, and groups others by item', () => {
    const states = new Map<number, Record<string, unknown>>([
      [1, { user: { id: 'a', name: 'Eddie', color: '#111' }, focusItemId: 'item-1' }],
      [2, { user: { id: 'b', name: 'Zoe', color: '#000' }, focusItemId: null }],
      [3, { user: { id: 'b', name: 'Zoe', color: '#000' }, focusItemId: 'item-1' }],
      [4, { user: { id: 'c', name: 'Anna' }, focusItemId: 42 }],
    ]);
    const people = presentUsers(states, 'a');
    expect(people.map((person) => person.focusItemId)).toEqual(['item-1', null, 'item-1']);
    const byItem = peopleByItem(people, 'a');
    expect(byItem.get('item-1')!.map((person) => person.name)).toEqual(['Zoe']);
    expect(byItem.size).toBe(1);
  });
});

describe('offlineStoreName', () => {
  it('is distinct per user and checklist', () => {
    expect(offlineStoreName('u1', 'c1')).not.toBe(offlineStoreName('u2', 'c1'));
    expect(offlineStoreName('u1', 'c1')).not.toBe(offlineStoreName('u1', 'c2'));
  });
});

describe('userColor', () => {
  it('is stable per user and a hex colour', () => {
    expect(userColor('11111111-1111-4111-8111-000000000002')).toBe(userColor('11111111-1111-4111-8111-000000000002'));
    expect(userColor('x')).toMatch(/^#[0-9a-f]{6}$/);
    const colours = new Set(Array.from({ length: 40 }, (_, i) => userColor(`user-${i}`)));
    expect(colours.size).toBeGreaterThan(3);
  });
});

describe('refreshDelayMs', () => {
  it('refreshes a minute before expiry, never sooner than 5 seconds from now', () => {
    const now = 1_000_000_000_000;
    expect(refreshDelayMs(now / 1000 + 3600, now)).toBe(3540_000);
    expect(refreshDelayMs(now / 1000 + 10, now)).toBe(5_000);
    expect(refreshDelayMs(undefined, now)).toBeNull();
  });
});
