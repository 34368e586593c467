import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { benchDir, pinnedCommand } from '../servers/launch.ts';
import type { WorkerReply } from './messages.ts';

type Command = { cmd: string } & Record<string, unknown>;

const workerEntry = fileURLToPath(new URL('./worker-main.ts', import.meta.url));

/** Load-generator processes, all pinned to one core (the other core belongs to the server under test). */
export class WorkerPool {
  private nextId = 1;
  private pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();

  private constructor(readonly workers: ChildProcess[]) {
    for (const worker of workers) {
      worker.on('message', (reply: WorkerReply) => {
        const waiter = this.pending.get(reply.id);
        if (!waiter) return;
        this.pending.delete(reply.id);
        if (reply.ok) waiter.resolve(reply.result);
        else waiter.reject(new Error(reply.error));
      });
      worker.on('exit', (code) => {
        for (const [id, waiter] of this.pending) {
          waiter.reject(new Error(`load-generator worker exited (${code})`));
          this.pending.delete(id);
        }
      });
    }
  }

  static async start(count: number, core: number): Promise<WorkerPool> {
    const [program, args] = pinnedCommand(core, [process.execPath, '--import', 'tsx', workerEntry]);
    const workers = Array.from({ length: count }, () =>
      spawn(program, args, {
        cwd: benchDir,
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        serialization: 'advanced',
      }),
    );
    return new WorkerPool(workers);
  }

  get size(): number {
    return this.workers.length;
  }

  request<T>(worker: number, command: Command, timeoutMs = 600_000): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`worker ${worker}: ${command.cmd} timed out`));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value as T);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.workers[worker]!.send({ ...command, id });
    });
  }

  /** Sends each worker its own command (or none) and waits for all. */
  all<T>(commands: (Command | null)[], timeoutMs?: number): Promise<(T | null)[]> {
    return Promise.all(commands.map((command, worker) => (command ? this.request<T>(worker, command, timeoutMs) : Promise.resolve(null))));
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.workers.map(
        (worker) =>
          new Promise<void>((resolve) => {
            if (worker.exitCode !== null || worker.signalCode !== null) return resolve();
            // SIGTERM reaches the node process through `timeout`, which forwards it.
            const timer = setTimeout(() => worker.kill('SIGTERM'), 5000);
            worker.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            worker.disconnect();
          }),
      ),
    );
  }
}
