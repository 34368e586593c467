import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

const emptyAsUndefined = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value);

const schema = z.object({
  FILES_STORAGE: z.preprocess(emptyAsUndefined, z.enum(['local', 'supabase']).default('local')),
  FILES_DIR: z.preprocess(emptyAsUndefined, z.string().min(1).optional()),
  FILES_SUPABASE_URL: z.preprocess(emptyAsUndefined, z.url({ protocol: /^https?$/ }).optional()),
  SUPABASE_URL: z.preprocess(emptyAsUndefined, z.url({ protocol: /^https?$/ }).optional()),
  SUPABASE_SERVICE_ROLE_KEY: z.preprocess(emptyAsUndefined, z.string().min(20).optional()),
  FILES_BUCKET: z.preprocess(emptyAsUndefined, z.string().regex(/^[a-z0-9][a-z0-9._-]{2,62}$/, 'a bucket name: lower-case letters, digits, . _ -').default('item-files')),
  FILES_MAX_BYTES: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(5 * 1024 ** 3).default(100 * 1024 * 1024)),
  FILES_LINK_TTL_SECONDS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(10).max(3600).default(300)),
});

export interface FilesConfig {
  storage:
    | { kind: 'local'; dir: string }
    | { kind: 'supabase'; url: string; serviceRoleKey: string; bucket: string; incomingDir: string };
  maxBytes: number;
  linkTtlSeconds: number;
}

export class FilesConfigError extends Error {
  override name = 'FilesConfigError';
}

export function loadFilesConfig(env: Record<string, string | undefined>, defaults: { dataDir: string }): FilesConfig {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    throw new FilesConfigError(`Invalid environment:\n${parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n')}`);
  }
  const e = parsed.data;
  const common = { maxBytes: e.FILES_MAX_BYTES, linkTtlSeconds: e.FILES_LINK_TTL_SECONDS };
  if (e.FILES_STORAGE === 'local') return { ...common, storage: { kind: 'local', dir: e.FILES_DIR ?? join(defaults.dataDir, 'files') } };
  const url = e.FILES_SUPABASE_URL ?? e.SUPABASE_URL;
  const problems = [
    !url ? '  FILES_SUPABASE_URL (or SUPABASE_URL): required when FILES_STORAGE=supabase' : null,
    !e.SUPABASE_SERVICE_ROLE_KEY ? '  SUPABASE_SERVICE_ROLE_KEY: required when FILES_STORAGE=supabase' : null,
  ].filter(Boolean);
  if (problems.length) throw new FilesConfigError(`Invalid environment:\n${problems.join('\n')}`);
  return {
    ...common,
    storage: {
      kind: 'supabase',
      url: url!.replace(/\/$/, ''),
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
