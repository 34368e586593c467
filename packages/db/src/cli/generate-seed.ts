/* eslint-disable no-console -- a command-line tool: its output is for the person who ran it, not a log */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { defaultSupabaseDir } from '../migrate.ts';
import { generateSeedSql } from '../seed/index.ts';

const target = join(process.env.SUPABASE_DIR ?? defaultSupabaseDir, 'seed.sql');
const sql = generateSeedSql();
await writeFile(target, sql);
console.log(`wrote ${target} (${sql.length} characters)`);
