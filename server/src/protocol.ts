import * as encoding from 'lib0/encoding';
import * as authProtocol from 'y-protocols/auth';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';

/** The y-websocket message types (first varuint of every frame). */
export const MessageType = { sync: 0, awareness: 1, auth: 2, queryAwareness: 3 } as const;
export const SyncType = {
  step1: syncProtocol.messageYjsSyncStep1,
  step2: syncProtocol.messageYjsSyncStep2,
  update: syncProtocol.messageYjsUpdate,
} as const;

function message(write: (encoder: encoding.Encoder) => void): Uint8Array {
  const encoder = encoding.createEncoder();
  write(encoder);
  return encoding.toUint8Array(encoder);
}

export const syncStep1Message = (doc: Y.Doc) =>
  message((encoder) => {
    encoding.writeVarUint(encoder, MessageType.sync);
    syncProtocol.writeSyncStep1(encoder, doc);
  });

export const syncStep2Message = (doc: Y.Doc, stateVector: Uint8Array) =>
  message((encoder) => {
    encoding.writeVarUint(encoder, MessageType.sync);
    syncProtocol.writeSyncStep2(encoder, doc, stateVector);
  });

export const updateMessage = (update: Uint8Array) =>
  message((encoder) => {
    encoding.writeVarUint(encoder, MessageType.sync);
    syncProtocol.writeUpdate(encoder, update);
  });

/** An already encoded awareness update as a y-websocket message. */
export const awarenessUpdateMessage = (update: Uint8Array) =>
  message((encoder) => {
    encoding.writeVarUint(encoder, MessageType.awareness);
    encoding.writeVarUint8Array(encoder, update);
  });

export const awarenessMessage = (awareness: awarenessProtocol.Awareness, clients: number[]) =>
  awarenessUpdateMessage(awarenessProtocol.encodeAwarenessUpdate(awareness, clients));

/** y-protocols/auth "permission denied": the stock provider logs it (console.warn) and keeps the session. */
export const permissionDeniedMessage = (reason: string) =>
  message((encoder) => {
    encoding.writeVarUint(encoder, MessageType.auth);
    authProtocol.writePermissionDenied(encoder, reason);
  });

/** Any message, as `write` encodes it: for tests of frames no correct client sends. */
export const encodeMessage = message;

/** A sync message of any sub-type with an already encoded payload (a state vector, an update, or bytes to refuse). */
export const syncMessage = (syncType: number, payload: Uint8Array) =>
  message((encoder) => {
    encoding.writeVarUint(encoder, MessageType.sync);
    encoding.writeVarUint(encoder, syncType);
    encoding.writeVarUint8Array(encoder, payload);
  });

/** Sync step 1 with an empty state vector ("send me everything"), as a fresh client sends it. */
export const emptySyncStep1Message = () => syncMessage(SyncType.step1, Y.encodeStateVector(new Y.Doc()));
