import { monitorEventLoopDelay } from 'node:perf_hooks';
/**
 * The shared half of every server child process: it reports its port, answers memory probes
 * (after a forced GC, so RSS compares live data rather than garbage) and stops on request.
 */
export interface ServerHandle {
  port: number;
  close(): Promise<void>;
}

export type ParentCommand = { cmd: 'memory' } | { cmd: 'stop' } | { cmd: 'loopDelay'; reset: boolean };
/** Event-loop delay of the server process since the last reset (perf_hooks.monitorEventLoopDelay), in ms. */
export interface LoopDelay {
  p50: number;
  p99: number;
  max: number;
}
export type ChildMessage =
  | { type: 'ready'; port: number; pid: number }
  | { type: 'memory'; rss: number; heapUsed: number; external: number; arrayBuffers: number }
  | ({ type: 'loopDelay' } & LoopDelay)
  | { type: 'failed'; error: string };

export async function serveChild(start: () => Promise<ServerHandle>): Promise<void> {
  if (!process.send) throw new Error('A benchmark server must be started by the benchmark runner (IPC channel missing)');
  // Every server is watched the same way: how late its event loop ran timers (10 ms resolution is the default's).
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const send = (message: ChildMessage) => process.send?.(message);
  let handle: ServerHandle;
  try {
    handle = await start();
  } catch (error) {
    send({ type: 'failed', error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
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
    } else if (message.cmd === 'loopDelay') {
      const ms = (ns: number) => ns / 1e6;
      send({ type: 'loopDelay', p50: ms(loopDelay.percentile(50)), p99: ms(loopDelay.percentile(99)), max: ms(loopDelay.max) });
      if (message.reset) loopDelay.reset();
    } else if (message.cmd === 'stop') {
      void stop();
    }
  });
  // The runner going away must not leave a server behind.
  process.on('disconnect', () => void stop());
  send({ type: 'ready', port: handle.port, pid: process.pid });
}
