// Worker entry: the worker itself is TypeScript source, loaded through tsx's loader (as the servers load theirs).
import { register } from 'tsx/esm/api';

register();
await import('./extract-worker.ts');
