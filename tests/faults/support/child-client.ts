import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { waitFor } from './wait.ts';

const script = fileURLToPath(new URL('./edit-client-process.ts', import.meta.url));

/** An editing client in a child process (support/edit-client-process.ts). */
export interface ChildClient {
  child: ChildProcess;
  made: string[];
  /** kill -9: no close frame, no goodbye. */
  kill(): Promise<void>;
}

export async function startChildClient(options: {
  url: string;
  checklistId: string;
  token: string;
  sectionId: string;
  name: string;
  intervalMs: number;
}): Promise<ChildClient> {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    env: {
      PATH: process.env.PATH ?? '',
      COLLAB_URL: options.url,
      CHECKLIST_ID: options.checklistId,
      TOKEN: options.token,
      SECTION_ID: options.sectionId,
      CLIENT_NAME: options.name,
      EDIT_INTERVAL_MS: String(options.intervalMs),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const made: string[] = [];
  let synced = false;
  let buffered = '';
  let errors = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    let newline;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      const event = JSON.parse(line) as { synced?: boolean; made?: string };
      if (event.synced) synced = true;
      if (event.made) made.push(event.made);
    }
  });
  child.stderr!.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let gone = false;
  void exited.then(() => (gone = true));
  await waitFor(
    () => {
      if (gone) throw new Error(`client process exited: ${errors.slice(-2000)}`);
      return synced;
    },
    30_000,
    `client ${options.name} to sync`,
  );
  return {
    child,
    made,
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
  };
}
