/**
 * The shared half of every server child process: it reports its port, answers memory probes
 * (after a forced GC, so RSS compares live data rather than garbage) and stops on request.
 */
export interface ServerHandle {
  port: number;
  close(): Promise<void>;
}

export type ParentCommand = { cmd: 'memory' } | { cmd: 'stop' };
export type ChildMessage =
  | { type: 'ready'; port: number; pid: number }
  | { type: 'memory'; rss: number; heapUsed: number; external: number; arrayBuffers: number }
  | { type: 'failed'; error: string };

export async function serveChild(start: () => Promise<ServerHandle>): Promise<void> {
  if (!process.send) throw new Error('A benchmark server must be started by the benchmark runner (IPC channel missing)');
  const send = (message: ChildMessage) => process.send?.(message);
  let handle: ServerHandle;
  try {
    handle = await start();
  } catch (error) {
    send({ type: 'failed', error: error instanceof Error ? error.stack ?? error.message : String(error) });
    process.exit(1);
  }
  const stop = async () => {
    setTimeout(() => process.exit(0), 10_000).unref();
    await handle.close().catch((error) => console.error('close failed', error));
    process.exit(0);
  };
  process.on('message', (message: ParentCommand) => {
    if (message.cmd === 'memory') {
      const gc = (globalThis as { gc?: () => void }).gc;
      gc?.();
      gc?.();
      const usage = process.memoryUsage();
      send({ type: 'memory', rss: usage.rss, heapUsed: usage.heapUsed, external: usage.external, arrayBuffers: usage.arrayBuffers });
    } else if (message.cmd === 'stop') {
      void stop();
    }
  });
  // The runner going away must not leave a server behind.
  process.on('disconnect', () => void stop());
  send({ type: 'ready', port: handle.port, pid: process.pid });
}
