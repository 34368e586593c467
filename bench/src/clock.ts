/** Wall-clock milliseconds with sub-millisecond precision, comparable between processes on one machine. */
export const now = (): number => performance.timeOrigin + performance.now();

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
