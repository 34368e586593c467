/*
 * Benchmark of issue 16 (evidence files and search across deals), run on its own:
 *   npm run bench:files -w @tieout/bench [-- --database-url=postgres://… ] [--items=50000 --files=10000] [--write-docs]
 *
 * 1. Search: 50,000 items and 10,000 files' extracted text (two chunks of about 400 words each, like a short PDF or
 *    sheet) in the search index, in two workspaces (the searcher is a member of one); 400 searches (single words
 *    of every frequency, several words, quoted phrases, operators) run as that member through searchEverything,
 *    as the search page does. Reported: p50 / p95 / p99 / max in milliseconds. Goal: p95 <= 100 ms.
 * 2. Upload memory: a 50 MB file streamed by curl (another process) over HTTP into the same upload pipeline the
 *    app's route uses (request body as a web stream -> FilesService.upload: checks, SHA-256, temporary file, storage,
 *    row); the process's resident memory is sampled every 5 ms. Reported: the peak above the level before the upload.
 *    Goal: <= 64 MB. The file is an image (PNG signature, random body) so no text extraction starts after it.
 *
 * Numbers go to the "Evidence files and search" section of docs/benchmarks.md with --write-docs.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createReadableStreamFromReadable } from '@remix-run/node';
import { indexFileText, replaceChecklistSearchEntries, searchEverything, type ChecklistSearchEntry, type Database, type JwtClaims } from '@tieout/db';
import { openScratchDatabase } from '@tieout/db/testing';
import { pino } from 'pino';
import { createFilesService } from '../../app/server/files.ts';

const { values } = parseArgs({
  options: {
    'database-url': { type: 'string' },
    items: { type: 'string', default: '50000' },
    files: { type: 'string', default: '10000' },
    'upload-mb': { type: 'string', default: '50' },
    'write-docs': { type: 'boolean' },
  },
});
if (values['database-url']) process.env.DATABASE_URL = values['database-url'];
const ITEMS = Number(values.items);
const FILES = Number(values.files);
const UPLOAD_MB = Number(values['upload-mb']);

// A deterministic pseudo-random source and a Zipf-like vocabulary of diligence text.
let seed = 0x9e3779b9;
const random = () => {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return ((seed >>> 0) % 1_000_000) / 1_000_000;
};
const syllables = [
  'ka',
  'ro',
  'mi',
  'tel',
  'van',
  'dor',
  'sil',
  'qua',
  'ne',
  'bri',
  'lon',
  'fa',
  'zu',
  'pre',
  'hal',
  'cor',
  'tis',
  'mun',
  'gra',
  'vel',
];
const domain = (
  'power purchase agreement lease landlord tenant substation interconnection curtailment capacity megawatt transformer ' +
  'cooling retrofit rack density utility tariff consent assignment termination indemnity warranty escrow easement zoning ' +
  'permit environmental diesel generator battery fiber latency outage force majeure penalty rent escalation renewal option'
).split(' ');
const vocabulary: string[] = [...domain];
while (vocabulary.length < 6000) {
  const n = 2 + Math.floor(random() * 3);
  vocabulary.push(Array.from({ length: n }, () => syllables[Math.floor(random() * syllables.length)]).join(''));
}
const word = () => vocabulary[Math.min(vocabulary.length - 1, Math.floor(vocabulary.length * random() ** 3))]!;
const sentence = (words: number) => Array.from({ length: words }, word).join(' ');

async function seedSearch(db: Database): Promise<{ member: JwtClaims; seconds: number }> {
  const started = performance.now();
  const userId = randomUUID();
  await db.ownerQuery(`insert into auth.users (id, email) values ($1, $2)`, [userId, `bench-${userId.slice(0, 8)}@bench.test`]);
  const member: JwtClaims = { sub: userId, role: 'authenticated', email: `bench-${userId.slice(0, 8)}@bench.test` };
  // Two workspaces: the searcher is in the first (80% of everything); the second's rows must never be found.
  const workspaces = [
    { id: randomUUID(), share: 0.8, member: true },
    { id: randomUUID(), share: 0.2, member: false },
  ];
  const checklistsPerWorkspace = 50;
  for (const workspace of workspaces) {
    const items = Math.round(ITEMS * workspace.share);
    const files = Math.round(FILES * workspace.share);
    const perChecklist = Math.ceil(items / checklistsPerWorkspace);
    const filesPerChecklist = Math.ceil(files / checklistsPerWorkspace);
    await db.asService(async (sql) => {
      await sql.query(`insert into public.workspaces (id, name, created_by) values ($1, 'Bench', null)`, [workspace.id]);
      if (workspace.member)
        await sql.query(`insert into public.workspace_members (workspace_id, user_id, role) values ($1, $2, 'viewer')`, [workspace.id, userId]);
    });
    for (let c = 0; c < checklistsPerWorkspace; c++) {
      const dealId = randomUUID();
      const workstreamId = randomUUID();
      const checklistId = randomUUID();
      const itemIds = Array.from({ length: perChecklist }, (_, i) => `item${c}x${i}`);
      const titles = itemIds.map(() => `${word()} ${word()} ${sentence(3)}`);
      await db.asService(async (sql) => {
        await sql.query(`insert into public.deals (id, workspace_id, name, created_by) values ($1, $2, $3, null)`, [
          dealId,
          workspace.id,
          `Deal ${c}`,
        ]);
        await sql.query(`insert into public.workstreams (id, workspace_id, deal_id, kind, name) values ($1, $2, $3, 'custom', 'Stream')`, [
          workstreamId,
          workspace.id,
          dealId,
        ]);
        await sql.query(
          `insert into public.checklists (id, workspace_id, deal_id, workstream_id, title, created_by) values ($1, $2, $3, $4, $5, null)`,
          [checklistId, workspace.id, dealId, workstreamId, `Checklist ${c}`],
        );
        await sql.query(
          `insert into public.checklist_items (checklist_id, item_id, workspace_id, deal_id, position, title, status)
           select $1, x.item_id, $2, $3, 'a0', x.title, 'in_progress' from jsonb_to_recordset($4::jsonb) as x(item_id text, title text)`,
          [checklistId, workspace.id, dealId, JSON.stringify(itemIds.map((id, i) => ({ item_id: id, title: titles[i] })))],
        );
        const entries: ChecklistSearchEntry[] = itemIds.flatMap((id, i) => [
          { itemId: id, kind: 'item' as const, sourceId: id, title: titles[i]!, body: '' },
          ...(i % 3 === 0 ? [{ itemId: id, kind: 'note' as const, sourceId: id, title: titles[i]!, body: sentence(60) }] : []),
        ]);
        await replaceChecklistSearchEntries(sql, { checklistId, workspaceId: workspace.id, dealId }, entries);
        for (let f = 0; f < filesPerChecklist; f++) {
          const fileId = randomUUID();
          const itemId = itemIds[f % itemIds.length]!;
          const name = `${word()} ${word()} ${f}.pdf`;
          await sql.query(
            `insert into public.item_files (id, workspace_id, deal_id, checklist_id, item_id, name, size_bytes, content_type, sha256, storage_key, extraction)
             values ($1, $2, $3, $4, $5, $6, 1000, 'application/pdf', repeat('a', 64), $7, 'done')`,
            [fileId, workspace.id, dealId, checklistId, itemId, name, `${workspace.id}/${fileId}`],
          );
          await indexFileText(sql, { id: fileId, workspaceId: workspace.id, dealId, checklistId, itemId, name }, [
            { page: 1, text: sentence(400) },
            { page: 2, text: sentence(400) },
          ]);
        }
      });
    }
  }
  await db.ownerQuery('analyze');
  return { member, seconds: (performance.now() - started) / 1000 };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function measureSearch(db: Database, member: JwtClaims) {
  const queries: string[] = [];
  for (const rank of [0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 3000, 4000, 5000, 5900]) queries.push(vocabulary[rank]!);
  for (let i = 0; i < 12; i++) queries.push(`${word()} ${word()}`);
  for (let i = 0; i < 6; i++) queries.push(`"${word()} ${word()}"`);
  queries.push('power purchase agreement', '"force majeure"', 'curtailment -penalty', 'lease or rent', '!!! & | ( ) :*', 'a'.repeat(400));
  const times: number[] = [];
  let hits = 0;
  for (const query of queries.slice(0, 5)) await db.asUser(member, (sql) => searchEverything(sql, query)); // warm-up
  for (let round = 0; round < 10; round++) {
    for (const query of queries) {
      const started = performance.now();
      const result = await db.asUser(member, (sql) => searchEverything(sql, query));
      times.push(performance.now() - started);
      hits += result.hits.length;
    }
  }
  times.sort((a, b) => a - b);
  return {
    searches: times.length,
    distinctQueries: queries.length,
    averageHits: hits / times.length,
    p50: percentile(times, 50),
    p95: percentile(times, 95),
    p99: percentile(times, 99),
    max: times[times.length - 1]!,
  };
}

async function measureUpload(db: Database) {
  const dir = await mkdtemp(join(tmpdir(), 'tieout-bench-files-'));
  const userId = randomUUID();
  const email = `bench-up-${userId.slice(0, 8)}@bench.test`;
  await db.ownerQuery(`insert into auth.users (id, email) values ($1, $2)`, [userId, email]);
  const claims: JwtClaims = { sub: userId, role: 'authenticated', email };
  const ids = { workspace: randomUUID(), deal: randomUUID(), workstream: randomUUID(), checklist: randomUUID() };
  await db.asService(async (sql) => {
    await sql.query(`insert into public.workspaces (id, name, created_by) values ($1, 'Upload bench', null)`, [ids.workspace]);
    await sql.query(`insert into public.workspace_members (workspace_id, user_id, role) values ($1, $2, 'editor')`, [ids.workspace, userId]);
    await sql.query(`insert into public.deals (id, workspace_id, name, created_by) values ($1, $2, 'Deal', null)`, [ids.deal, ids.workspace]);
    await sql.query(`insert into public.workstreams (id, workspace_id, deal_id, kind, name) values ($1, $2, $3, 'custom', 'S')`, [
      ids.workstream,
      ids.workspace,
      ids.deal,
    ]);
    await sql.query(
      `insert into public.checklists (id, workspace_id, deal_id, workstream_id, title, created_by) values ($1, $2, $3, $4, 'C', null)`,
      [ids.checklist, ids.workspace, ids.deal, ids.workstream],
    );
  });
  const files = createFilesService({
    db,
    instanceSecret: randomUUID() + randomUUID(),
    config: { storage: { kind: 'local', dir: join(dir, 'store') }, maxBytes: 100 * 1024 * 1024, linkTtlSeconds: 60 },
    logger: pino({ level: 'silent' }),
  });
  // The same path as app/app/routes/files.upload.ts: the request body as a web stream, read chunk by chunk.
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://bench');
    const body = createReadableStreamFromReadable(req);
    const chunks = async function* () {
      const reader = body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        yield value as Uint8Array;
      }
    };
    files
      .upload(
        claims,
        {
          checklistId: ids.checklist,
          itemId: 'item-1',
          name: url.searchParams.get('name') ?? 'x',
          claimedType: req.headers['content-type'] ?? null,
          fileGroup: null,
          contentLength: Number(req.headers['content-length']),
        },
        chunks(),
      )
      .then(
        (file) => res.writeHead(201).end(JSON.stringify({ sha256: file.sha256, size: file.sizeBytes })),
        (error: Error & { status?: number }) => res.writeHead(error.status ?? 500).end(error.message),
      );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const post = (path: string, name: string) =>
    new Promise<string>((resolve, reject) => {
      const curl = spawn('curl', [
        '-sS',
        '--fail-with-body',
        '-X',
        'POST',
        '-H',
        'Content-Type: image/png',
        '--data-binary',
        `@${path}`,
        `http://127.0.0.1:${port}/upload?name=${encodeURIComponent(name)}`,
      ]);
      let out = '';
      curl.stdout.on('data', (data: Buffer) => (out += data.toString()));
      curl.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`curl exited ${code}: ${out}`))));
    });
  // A complete 1×1 PNG, then random bytes: accepted as an image by its bytes, so no text extraction follows.
  const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
  const makeFile = async (path: string, bytes: number) => {
    const out = createWriteStream(path);
    out.write(png);
    for (let written = png.length; written < bytes; written += 1024 * 1024) {
      const block = Buffer.alloc(Math.min(1024 * 1024, bytes - written));
      for (let i = 0; i < block.length; i += 4) block.writeUInt32LE((random() * 0xffffffff) >>> 0, Math.min(i, block.length - 4));
      if (!out.write(block)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
    }
    await new Promise((resolve) => out.end(resolve));
  };
  const small = join(dir, 'warm.png');
  const big = join(dir, 'big.png');
  await makeFile(small, 256 * 1024);
  await makeFile(big, UPLOAD_MB * 1024 * 1024);
  await post(small, 'warm.png');
  (globalThis as { gc?: () => void }).gc?.();
  await new Promise((resolve) => setTimeout(resolve, 200));
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 5);
  const started = performance.now();
  const answer = JSON.parse(await post(big, 'big.png')) as { sha256: string; size: number };
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  server.close();
  await files.close();
  await rm(dir, { recursive: true, force: true });
  return { megabytes: UPLOAD_MB, stored: answer.size, seconds, baselineMb: baseline / 2 ** 20, peakExtraMb: (peak - baseline) / 2 ** 20 };
}

const { db, dispose, url } = await openScratchDatabase({ label: 'bench-files' });
const engine = url ? 'Postgres' : 'PGlite (embedded)';
try {
  console.log(`Seeding ${ITEMS} items and ${FILES} files' text on ${engine}…`);
  const { member, seconds } = await seedSearch(db);
  console.log(`  seeded in ${seconds.toFixed(0)} s`);
  const search = await measureSearch(db, member);
  console.log(
    `Search: ${search.searches} searches, p50 ${search.p50.toFixed(1)} ms, p95 ${search.p95.toFixed(1)} ms, p99 ${search.p99.toFixed(1)} ms, max ${search.max.toFixed(1)} ms`,
  );
  const upload = await measureUpload(db);
  console.log(`Upload: ${upload.megabytes} MB in ${upload.seconds.toFixed(1)} s, peak resident memory +${upload.peakExtraMb.toFixed(1)} MB`);

  if (values['write-docs']) {
    const docPath = fileURLToPath(new URL('../../docs/benchmarks.md', import.meta.url));
    const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'CPU'}, ${Math.round(totalmem() / 2 ** 30)} GB, Node ${process.version}, load average ${loadavg()[1]!.toFixed(1)} (5 min) at the end`;
    const section = [
      '<!-- files-search:start -->',
      '## Evidence files and search',
      '',
      `\`npm run bench:files -w @tieout/bench${url ? ' -- --database-url=…' : ''}\` (bench/src/files-search.ts), ${new Date().toISOString().slice(0, 10)}, ${engine}, ${machine}.`,
      '',
      '| measure | goal | result |',
      '| --- | --- | --- |',
      `| search, ${ITEMS.toLocaleString('en-US')} items and ${FILES.toLocaleString('en-US')} files' text, ${search.searches} searches (${search.distinctQueries} queries): p95 | ≤ 100 ms | **${search.p95.toFixed(1)} ms** (p50 ${search.p50.toFixed(1)}, p99 ${search.p99.toFixed(1)}, max ${search.max.toFixed(1)}; ${search.averageHits.toFixed(0)} hits on average) ${search.p95 <= 100 ? '(met)' : '(missed)'} |`,
      `| ${upload.megabytes} MB upload over HTTP: peak resident memory above the level before it | ≤ 64 MB | **+${upload.peakExtraMb.toFixed(1)} MB** in ${upload.seconds.toFixed(1)} s ${upload.peakExtraMb <= 64 ? '(met)' : '(missed)'} |`,
      '',
      'Searches run as a member of one of two workspaces (the other holds a fifth of the rows and is never found), through',
      'the same function as the search page (websearch_to_tsquery, ranking, ts_headline of the returned rows only). The',
      'upload goes through the upload pipeline of the app (request body streamed, SHA-256 on the way, size limit, type',
      "from the bytes, temporary file renamed into storage, row); memory is the process's resident set, sampled every 5 ms.",
      '<!-- files-search:end -->',
    ].join('\n');
    const existing = await readFile(docPath, 'utf8').catch(() => '# Benchmarks\n');
    const next = /<!-- files-search:start -->[\s\S]*<!-- files-search:end -->/.test(existing)
      ? existing.replace(/<!-- files-search:start -->[\s\S]*<!-- files-search:end -->/, section)
      : `${existing.trimEnd()}\n\n${section}\n`;
    await writeFile(docPath, next);
    console.log(`wrote ${docPath}`);
  }
} finally {
  await dispose();
}
