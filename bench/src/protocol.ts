import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';

/**
 * The two wire framings the benchmark speaks. `y-websocket`: one document per socket, messages are
 * `[varUint type][payload]` (used by the reference server and Tieout). `hocuspocus`: every message is
 * prefixed with the document name, and a socket must authenticate each document before it syncs.
 */
export type WireProtocol = 'y-websocket' | 'hocuspocus';

export const MESSAGE_SYNC = 0;
export const MESSAGE_AWARENESS = 1;
export const MESSAGE_AUTH = 2;
export const MESSAGE_QUERY_AWARENESS = 3;
/** Hocuspocus only: a sync message that must not trigger another SyncStep1. */
export const MESSAGE_SYNC_REPLY = 4;
/** Hocuspocus only: the server acknowledges an applied update. */
export const MESSAGE_SYNC_STATUS = 8;

export const SYNC_STEP1 = 0;
export const SYNC_STEP2 = 1;
export const SYNC_UPDATE = 2;

export const AUTH_TOKEN = 0;
export const AUTH_PERMISSION_DENIED = 1;
export const AUTH_AUTHENTICATED = 2;

export function startMessage(protocol: WireProtocol, docName: string, type: number): encoding.Encoder {
  const encoder = encoding.createEncoder();
  if (protocol === 'hocuspocus') encoding.writeVarString(encoder, docName);
  encoding.writeVarUint(encoder, type);
  return encoder;
}

export function syncMessage(protocol: WireProtocol, docName: string, step: number, payload: Uint8Array): Uint8Array {
  const encoder = startMessage(protocol, docName, MESSAGE_SYNC);
  encoding.writeVarUint(encoder, step);
  encoding.writeVarUint8Array(encoder, payload);
  return encoding.toUint8Array(encoder);
}

export function hocuspocusAuthMessage(docName: string, token: string): Uint8Array {
  const encoder = startMessage('hocuspocus', docName, MESSAGE_AUTH);
  encoding.writeVarUint(encoder, AUTH_TOKEN);
  encoding.writeVarString(encoder, token);
  return encoding.toUint8Array(encoder);
}

/** Reads the framing of an incoming message and leaves the decoder at the payload. */
export function readEnvelope(protocol: WireProtocol, data: Uint8Array): { type: number; decoder: decoding.Decoder } {
  const decoder = decoding.createDecoder(data);
  if (protocol === 'hocuspocus') decoding.readVarString(decoder);
  return { type: decoding.readVarUint(decoder), decoder };
}
