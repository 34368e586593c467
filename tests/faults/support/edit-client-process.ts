/**
 * A stock y-websocket client in its own process, so a test can kill it with SIGKILL mid-edit.
 * Env: COLLAB_URL, CHECKLIST_ID, TOKEN, SECTION_ID, CLIENT_NAME, EDIT_INTERVAL_MS.
 * Prints one JSON line per event: {"synced":true} once, then {"made":"<item id>"} per edit.
 */
import { connectStockClient, Editor } from './clients.ts';

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};

const client = connectStockClient(env('COLLAB_URL'), env('CHECKLIST_ID'), env('TOKEN'), env('CLIENT_NAME'));
const editor = new Editor(client, env('SECTION_ID'));
await client.synced();
process.stdout.write(`${JSON.stringify({ synced: true })}\n`);
const interval = Number(process.env.EDIT_INTERVAL_MS ?? '25');
setInterval(() => {
  const id = editor.edit();
  process.stdout.write(`${JSON.stringify({ made: id })}\n`);
}, interval);
