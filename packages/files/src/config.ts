import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emptyAsUndefined, env, parseEnv } from '@tieout/config';
import { z } from 'zod';
import { LocalFolderStorage, SupabaseStorage, type FileStorage } from './storage.ts';

/*
 * Files configuration, from the environment (validated; every problem listed):
 *   FILES_STORAGE             'local' (default: a folder, FILES_DIR, default <repo>/.data/files) or 'supabase'
 *   FILES_SUPABASE_URL        the project URL (defaults to SUPABASE_URL)        } supabase only
 *   SUPABASE_SERVICE_ROLE_KEY the project's service role key                  }
 *   FILES_BUCKET              the private bucket (default 'item-files')        }
 *   FILES_MAX_BYTES           upload size limit in bytes (default 100 MB)
 *   FILES_LINK_TTL_SECONDS    life of a signed download or preview link (default 300)
 */

const schema = z.object({
  FILES_STORAGE: env.oneOf(['local', 'supabase'] as const, 'local'),
  FILES_DIR: env.optionalString(),
  FILES_SUPABASE_URL: env.optionalUrl(/^https?$/),
  SUPABASE_URL: env.optionalUrl(/^https?$/),
  SUPABASE_SERVICE_ROLE_KEY: env.optionalSecret(20),
  FILES_BUCKET: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .regex(/^[a-z0-9][a-z0-9._-]{2,62}$/, 'a bucket name: lower-case letters, digits, . _ -')
      .default('item-files'),
  ),
  FILES_MAX_BYTES: env.int(100 * 1024 * 1024, 1, 5 * 1024 ** 3),
  FILES_LINK_TTL_SECONDS: env.int(300, 10, 3600),
});

export interface FilesConfig {
  storage: { kind: 'local'; dir: string } | { kind: 'supabase'; url: string; serviceRoleKey: string; bucket: string; incomingDir: string };
  maxBytes: number;
  linkTtlSeconds: number;
}

/** FILES_* from the environment; a ConfigError (@tieout/config) lists every problem. */
export function loadFilesConfig(source: Record<string, string | undefined>, defaults: { dataDir: string }): FilesConfig {
  const e = parseEnv(schema, source, (v) =>
    v.FILES_STORAGE === 'supabase'
      ? [
          !v.FILES_SUPABASE_URL &&
            !v.SUPABASE_URL && { variable: 'FILES_SUPABASE_URL', message: 'required (or SUPABASE_URL) when FILES_STORAGE=supabase' },
          !v.SUPABASE_SERVICE_ROLE_KEY && { variable: 'SUPABASE_SERVICE_ROLE_KEY', message: 'required when FILES_STORAGE=supabase' },
        ]
      : [],
  );
  const common = { maxBytes: e.FILES_MAX_BYTES, linkTtlSeconds: e.FILES_LINK_TTL_SECONDS };
  if (e.FILES_STORAGE === 'local') return { ...common, storage: { kind: 'local', dir: e.FILES_DIR ?? join(defaults.dataDir, 'files') } };
  const url = (e.FILES_SUPABASE_URL ?? e.SUPABASE_URL)!;
  return {
    ...common,
    storage: {
      kind: 'supabase',
      url: url.replace(/\/$/, ''),
      serviceRoleKey: e.SUPABASE_SERVICE_ROLE_KEY!,
      bucket: e.FILES_BUCKET,
      incomingDir: join(tmpdir(), 'tieout-incoming'),
    },
  };
}

export function openFileStorage(config: FilesConfig): { storage: FileStorage; incomingDir: string } {
  if (config.storage.kind === 'local') {
    const storage = new LocalFolderStorage(config.storage.dir);
    return { storage, incomingDir: storage.incomingDir };
  }
  const { url, serviceRoleKey, bucket, incomingDir } = config.storage;
  return { storage: new SupabaseStorage({ url, serviceRoleKey, bucket }), incomingDir };
}
