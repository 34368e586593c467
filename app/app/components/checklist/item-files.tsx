/*
 * Evidence files of an item: attach (drag and drop or picker, several at once, a progress bar and Cancel per file),
 * new versions (older ones stay listed), SHA-256 shown, remove (soft, audited), previews in the page.
 * Accessible names: region "Files of <item>"; button "Attach files to <item>"; list "Uploads to <item>" with
 * progressbar "Uploading <name>" and button "Cancel upload of <name>"; list "Files of <item>" with, per file,
 * buttons "Preview <name>", "Download <name>", "Upload a new version of <name>", "Remove <name>" and the text
 * "SHA-256 <hex>"; region "Preview of <name>" (PDF: "Page n of m", buttons "Previous page" / "Next page").
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type DragEvent, type ReactNode } from 'react';
import type { ItemView } from '@tieout/doc-model';
import { useConfirm } from '~/components/confirm-dialog.tsx';
import { useLiveEvents } from '~/utils/live.ts';
import { smallButtonClass } from './labels.ts';
import { FilePreview } from './file-preview.tsx';

export interface FileRow {
  id: string;
  fileGroup: string;
  version: number;
  itemId: string;
  name: string;
  sizeBytes: number;
  contentType: string;
  typeLabel: string;
  preview: 'pdf' | 'image' | 'table' | 'text' | 'none';
  sha256: string;
  uploaderName: string | null;
  uploadedAt: string;
  extraction: 'pending' | 'done' | 'failed' | 'none';
}

export interface FileFocus {
  itemId: string;
  fileId: string | null;
  page: number | null;
}

interface FilesState {
  checklistId: string;
  byItem: ReadonlyMap<string, FileRow[]>;
  maxBytes: number | null;
  loaded: boolean;
  reload: () => void;
  focus: FileFocus | null;
}

const FilesContext = createContext<FilesState | null>(null);
export const useItemFilesState = () => useContext(FilesContext);

/** Loads the checklist's files and re-reads them when someone adds or removes one (live 'files' events). */
export function ChecklistFilesProvider({ checklistId, focus, children }: { checklistId: string; focus: FileFocus | null; children: ReactNode }) {
  const [files, setFiles] = useState<FileRow[]>([]);
  const [maxBytes, setMaxBytes] = useState<number | null>(null);
  const [loaded, setLoaded] = useState(false);
  const generation = useRef(0);
  const reload = useCallback(() => {
    const mine = ++generation.current;
    fetch(`/checklists/${checklistId}/files`, { headers: { Accept: 'application/json' } })
      .then(async (response) => {
        if (!response.ok) return;
        const body = (await response.json()) as { files: FileRow[]; maxBytes: number };
        if (mine !== generation.current) return;
        setFiles(body.files);
        setMaxBytes(body.maxBytes);
        setLoaded(true);
      })
      .catch(() => {
        // Offline: the list stays as it was; the next event or reconnect reloads it.
      });
  }, [checklistId]);
  useEffect(reload, [reload]);
  useLiveEvents(
    (event) => event.topic === 'files' && event.checklistId === checklistId,
    () => reload(),
  );
  const byItem = useMemo(() => {
    const map = new Map<string, FileRow[]>();
    for (const file of files) map.set(file.itemId, [...(map.get(file.itemId) ?? []), file]);
    return map;
  }, [files]);
  const value = useMemo(() => ({ checklistId, byItem, maxBytes, loaded, reload, focus }), [checklistId, byItem, maxBytes, loaded, reload, focus]);
  return <FilesContext.Provider value={value}>{children}</FilesContext.Provider>;
}

interface Upload {
  key: string;
  name: string;
  size: number;
  loaded: number;
  state: 'queued' | 'uploading' | 'failed';
  error?: string;
  xhr?: XMLHttpRequest;
  file: File;
  fileGroup: string | null;
}

const MAX_PARALLEL_UPLOADS = 3;

export const formatBytes = (bytes: number) =>
  bytes >= 1024 * 1024
    ? `${(bytes / 1024 / 1024).toFixed(1).replace(/\.0$/, '')} MB`
    : bytes >= 1024
      ? `${Math.round(bytes / 1024)} KB`
      : `${bytes} B`;

const formatTime = (iso: string) => new Date(iso).toLocaleString('en-US', { month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' });

/** Groups versions (newest first) by file. */
function byFile(files: FileRow[]): FileRow[][] {
  const groups = new Map<string, FileRow[]>();
  for (const file of files) groups.set(file.fileGroup, [...(groups.get(file.fileGroup) ?? []), file]);
  return [...groups.values()].map((versions) => versions.sort((a, b) => b.version - a.version));
}

export async function fileLink(fileId: string, purpose: 'download' | 'inline' | 'table'): Promise<string> {
  const response = await fetch(`/files/${fileId}/link?purpose=${purpose}`);
  const body = (await response.json()) as { url?: string; error?: string };
  if (!response.ok || !body.url) throw new Error(body.error ?? 'The file could not be opened');
  return body.url;
}

export function ItemFiles({ item, editable }: { item: ItemView; editable: boolean }) {
  const state = useItemFilesState();
  const confirm = useConfirm();
  const [uploads, setUploads] = useState<Upload[]>([]);
  const [dragging, setDragging] = useState(false);
  const [previewing, setPreviewing] = useState<{ file: FileRow; page: number | null } | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const picker = useRef<HTMLInputElement>(null);
  const versionPicker = useRef<HTMLInputElement>(null);
  const versionOf = useRef<string | null>(null);
  const files = useMemo(() => state?.byItem.get(item.id) ?? [], [state, item.id]);
  const groups = byFile(files);
  const title = item.title;

  // Opened from a search result: show that file at the page of the match.
  const focusFile = state?.focus?.itemId === item.id ? state.focus.fileId : null;
  const focusPage = state?.focus?.itemId === item.id ? state.focus.page : null;
  useEffect(() => {
    if (!focusFile) return;
    const file = files.find((f) => f.id === focusFile);
    if (file) setPreviewing((current) => current ?? { file, page: focusPage });
  }, [focusFile, focusPage, files]);

  // A queue: at most MAX_PARALLEL_UPLOADS requests at once, the rest wait (500 files at once stay manageable).
  const started = useRef(new Set<string>());
  useEffect(() => {
    const active = uploads.filter((u) => u.state === 'uploading').length;
    const next = uploads.filter((u) => u.state === 'queued' && !started.current.has(u.key)).slice(0, Math.max(0, MAX_PARALLEL_UPLOADS - active));
    if (!next.length || !state) return;
    for (const upload of next) {
      started.current.add(upload.key);
      start(upload);
    }
  });

  function update(key: string, patch: Partial<Upload> | null) {
    setUploads((list) => (patch === null ? list.filter((u) => u.key !== key) : list.map((u) => (u.key === key ? { ...u, ...patch } : u))));
  }

  function start(upload: Upload) {
    if (!state) return;
    const params = new URLSearchParams({ checklistId: state.checklistId, itemId: item.id, name: upload.name });
    if (upload.fileGroup) params.set('fileGroup', upload.fileGroup);
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/files/upload?${params}`);
    xhr.setRequestHeader('Content-Type', upload.file.type || 'application/octet-stream');
    xhr.upload.onprogress = (event) => update(upload.key, { loaded: event.loaded });
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        update(upload.key, null);
        state.reload();
        return;
      }
      let message = `Upload failed (${xhr.status})`;
      try {
        message = (JSON.parse(xhr.responseText) as { error?: string }).error ?? message;
      } catch {
        // keep the status message
      }
      update(upload.key, { state: 'failed', error: message, xhr: undefined });
    };
    xhr.onerror = () => update(upload.key, { state: 'failed', error: 'The connection was lost during the upload', xhr: undefined });
    xhr.onabort = () => update(upload.key, null);
    update(upload.key, { state: 'uploading', xhr });
    xhr.send(upload.file);
  }

  function add(list: FileList | File[], fileGroup: string | null = null) {
    setProblem(null);
    const added: Upload[] = [];
    for (const file of Array.from(list)) {
      const key = `${Date.now()}-${Math.random().toString(36).slice(2)}`;
      const base = { key, name: file.name, size: file.size, loaded: 0, file, fileGroup };
      if (file.size === 0) added.push({ ...base, state: 'failed', error: 'The file is empty (0 bytes): nothing to attach' });
      else if (state?.maxBytes && file.size > state.maxBytes) {
        added.push({ ...base, state: 'failed', error: `The file is larger than the limit of ${formatBytes(state.maxBytes)}` });
      } else added.push({ ...base, state: 'queued' });
    }
    setUploads((current) => [...current, ...added]);
  }

  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    if (!editable) return;
    if (event.dataTransfer.files.length) add(event.dataTransfer.files);
  };

  const remove = async (file: FileRow) => {
    const ok = await confirm({
      title: `Remove ${file.name}?`,
      message: 'The file and its earlier versions leave the item and search. The removal is recorded in the audit trail.',
      confirmLabel: 'Remove file',
    });
    if (!ok) return;
    const body = new FormData();
    body.set('intent', 'remove');
    body.set('fileGroup', file.fileGroup);
    const response = await fetch(`/checklists/${state?.checklistId}/files`, { method: 'POST', body });
    if (!response.ok) setProblem(((await response.json().catch(() => ({}))) as { error?: string }).error ?? 'The file could not be removed');
    if (previewing?.file.fileGroup === file.fileGroup) setPreviewing(null);
    state?.reload();
  };

  const download = async (file: FileRow) => {
    try {
      const url = await fileLink(file.id, 'download');
      const anchor = document.createElement('a');
      anchor.href = url;
      anchor.download = file.name;
      anchor.rel = 'noopener';
      document.body.append(anchor);
      anchor.click();
      anchor.remove();
    } catch (error) {
      setProblem(error instanceof Error ? error.message : String(error));
    }
  };

  return (
    <section
      aria-label={`Files of ${title}`}
      onDragOver={(event) => {
        if (!editable) return;
        event.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={onDrop}
      className={`rounded-md ${dragging ? 'outline-dashed outline-2 outline-sky-500' : ''}`}
    >
      <div className="mb-1 flex items-center justify-between gap-2">
        <h3 className="text-xs font-medium uppercase tracking-wide text-slate-500 dark:text-slate-400">Files</h3>
        <button
          type="button"
          disabled={!editable || !state}
          onClick={() => picker.current?.click()}
          aria-label={`Attach files to ${title}`}
          className={smallButtonClass}
        >
          Attach files
        </button>
        <input
          ref={picker}
          type="file"
          multiple
          hidden
          aria-hidden="true"
          disabled={!editable}
          data-testid={`file-input-${item.id}`}
          onChange={(event) => {
            if (event.target.files?.length) add(event.target.files);
            event.target.value = '';
          }}
        />
        <input
          ref={versionPicker}
          type="file"
          hidden
          aria-hidden="true"
          disabled={!editable}
          data-testid={`version-input-${item.id}`}
          onChange={(event) => {
            if (event.target.files?.length && versionOf.current) add(event.target.files, versionOf.current);
            event.target.value = '';
          }}
        />
      </div>
      {editable ? (
        <p className="mb-1 text-xs text-slate-500">
          Drop files here or attach them{state?.maxBytes ? ` (up to ${formatBytes(state.maxBytes)} each)` : ''}: PDF, images, XLSX, CSV, text, Word.
        </p>
      ) : null}
      {problem ? (
        <p role="alert" className="mb-1 text-sm text-red-700 dark:text-red-300">
          {problem}
        </p>
      ) : null}
      {uploads.length ? (
        <ul aria-label={`Uploads to ${title}`} className="mb-2 space-y-1">
          {uploads.map((upload) => (
            <li key={upload.key} className="rounded border border-slate-200 px-2 py-1 text-sm dark:border-slate-700">
              <div className="flex items-center gap-2">
                <span className="min-w-0 flex-1 truncate">{upload.name}</span>
                {upload.state === 'failed' ? (
                  <button
                    type="button"
                    className="text-xs text-slate-500 underline"
                    onClick={() => update(upload.key, null)}
                    aria-label={`Dismiss ${upload.name}`}
                  >
                    Dismiss
                  </button>
                ) : (
                  <button
                    type="button"
                    className="text-xs text-slate-600 underline dark:text-slate-300"
                    aria-label={`Cancel upload of ${upload.name}`}
                    onClick={() => (upload.xhr ? upload.xhr.abort() : update(upload.key, null))}
                  >
                    Cancel
                  </button>
                )}
              </div>
              {upload.state === 'failed' ? (
                <p role="alert" className="text-xs text-red-700 dark:text-red-300">
                  {upload.name}: {upload.error}
                </p>
              ) : (
                <progress
                  aria-label={`Uploading ${upload.name}`}
                  max={upload.size}
                  value={upload.loaded}
                  className="mt-1 h-1.5 w-full accent-sky-600"
                />
              )}
            </li>
          ))}
        </ul>
      ) : null}
      {state?.loaded && groups.length === 0 ? <p className="text-sm text-slate-500">No files yet.</p> : null}
      <ul aria-label={`Files of ${title}`} className="space-y-1.5">
        {groups.map((versions) => {
          const latest = versions[0]!;
          return (
            <li key={latest.fileGroup} className="rounded border border-slate-200 px-2 py-1.5 text-sm dark:border-slate-700">
              <FileLine
                file={latest}
                latest
                editable={editable}
                onPreview={() => setPreviewing({ file: latest, page: null })}
                onDownload={() => void download(latest)}
                onNewVersion={() => {
                  versionOf.current = latest.fileGroup;
                  versionPicker.current?.click();
                }}
                onRemove={() => void remove(latest)}
              />
              {versions.length > 1 ? (
                <details className="mt-1">
                  <summary className="cursor-pointer text-xs text-slate-500">Earlier versions ({versions.length - 1})</summary>
                  <ul
                    aria-label={`Earlier versions of ${latest.name}`}
                    className="mt-1 space-y-1 border-l border-slate-200 pl-2 dark:border-slate-700"
                  >
                    {versions.slice(1).map((version) => (
                      <li key={version.id}>
                        <FileLine
                          file={version}
                          latest={false}
                          editable={false}
                          onPreview={() => setPreviewing({ file: version, page: null })}
                          onDownload={() => void download(version)}
                        />
                      </li>
                    ))}
                  </ul>
                </details>
              ) : null}
            </li>
          );
        })}
      </ul>
      {previewing ? <FilePreview key={previewing.file.id} file={previewing.file} page={previewing.page} onClose={() => setPreviewing(null)} /> : null}
    </section>
  );
}

function FileLine({
  file,
  latest,
  editable,
  onPreview,
  onDownload,
  onNewVersion,
  onRemove,
}: {
  file: FileRow;
  latest: boolean;
  editable: boolean;
  onPreview: () => void;
  onDownload: () => void;
  onNewVersion?: () => void;
  onRemove?: () => void;
}) {
  const label = latest ? file.name : `${file.name} (version ${file.version})`;
  return (
    <div>
      <div className="flex flex-wrap items-baseline gap-x-2">
        <span className="min-w-0 break-all font-medium">{file.name}</span>
        <span className="text-xs text-slate-500">
          v{file.version} · {file.typeLabel} · {formatBytes(file.sizeBytes)} · {file.uploaderName ?? 'a former member'}, {formatTime(file.uploadedAt)}
          {file.extraction === 'pending' ? ' · reading text…' : ''}
        </span>
      </div>
      <p className="break-all font-mono text-[11px] leading-4 text-slate-500" title="SHA-256 of the file's bytes">
        SHA-256 {file.sha256}
      </p>
      <div className="mt-1 flex flex-wrap gap-1">
        {file.preview !== 'none' ? (
          <button type="button" className={`${smallButtonClass} h-7 px-2 text-xs`} aria-label={`Preview ${label}`} onClick={onPreview}>
            Preview
          </button>
        ) : null}
        <button type="button" className={`${smallButtonClass} h-7 px-2 text-xs`} aria-label={`Download ${label}`} onClick={onDownload}>
          Download
        </button>
        {onNewVersion ? (
          <button
            type="button"
            disabled={!editable}
            className={`${smallButtonClass} h-7 px-2 text-xs`}
            aria-label={`Upload a new version of ${file.name}`}
            onClick={onNewVersion}
          >
            New version
          </button>
        ) : null}
        {onRemove ? (
          <button
            type="button"
            disabled={!editable}
            className={`${smallButtonClass} h-7 px-2 text-xs`}
            aria-label={`Remove ${file.name}`}
            onClick={onRemove}
          >
            Remove
          </button>
        ) : null}
      </div>
    </div>
  );
}
