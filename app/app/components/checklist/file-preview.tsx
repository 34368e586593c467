/*
 * In-page previews. Nothing of the file runs in the app's origin: PDFs are drawn by pdf.js onto a canvas (scripting
 * and eval off), images and text come from the sandboxed /files/:id/view route (CSP sandbox, nosniff, the type
 * found in the bytes), and spreadsheets arrive as JSON rows rendered as a plain table.
 */
import { useEffect, useRef, useState } from 'react';
import { fileLink, type FileRow } from './item-files.tsx';
import { smallButtonClass } from './labels.ts';

type PdfDocument = import('pdfjs-dist').PDFDocumentProxy;

let pdfjsModule: Promise<typeof import('pdfjs-dist')> | null = null;
/** pdf.js loads only when a PDF is previewed (it is large); its worker is a separate build file. */
function loadPdfjs() {
  pdfjsModule ??= Promise.all([import('pdfjs-dist'), import('pdfjs-dist/build/pdf.worker.min.mjs?url')]).then(([pdfjs, worker]) => {
    pdfjs.GlobalWorkerOptions.workerSrc = worker.default;
    return pdfjs;
  });
  return pdfjsModule;
}

export function FilePreview({ file, page, onClose }: { file: FileRow; page: number | null; onClose: () => void }) {
  const label = file.version > 1 ? `${file.name} (version ${file.version})` : file.name;
  return (
    <section
      aria-label={`Preview of ${label}`}
      className="mt-2 rounded-md border border-slate-200 bg-slate-50 p-2 dark:border-slate-700 dark:bg-slate-900/60"
    >
      <div className="mb-2 flex items-center gap-2">
        <span className="min-w-0 flex-1 truncate text-sm font-medium">{label}</span>
        <button type="button" className={`${smallButtonClass} h-7 px-2 text-xs`} onClick={onClose} aria-label={`Close preview of ${label}`}>
          Close
        </button>
      </div>
      {file.preview === 'pdf' ? (
        <PdfPreview file={file} initialPage={page} />
      ) : file.preview === 'image' ? (
        <ImagePreview file={file} />
      ) : file.preview === 'table' ? (
        <TablePreview file={file} />
      ) : file.preview === 'text' ? (
        <TextPreview file={file} />
      ) : (
        <p className="text-sm text-slate-500">No preview for this kind of file: download it instead.</p>
      )}
    </section>
  );
}

function useLink(fileId: string, purpose: 'inline' | 'table') {
  const [state, setState] = useState<{ url: string | null; error: string | null }>({ url: null, error: null });
  useEffect(() => {
    let cancelled = false;
    fileLink(fileId, purpose).then(
      (url) => !cancelled && setState({ url, error: null }),
      (error: unknown) => !cancelled && setState({ url: null, error: error instanceof Error ? error.message : String(error) }),
    );
    return () => {
      cancelled = true;
    };
  }, [fileId, purpose]);
  return state;
}

function Problem({ message }: { message: string }) {
  return (
    <p role="alert" className="text-sm text-red-700 dark:text-red-300">
      {message}
    </p>
  );
}

function PdfPreview({ file, initialPage }: { file: FileRow; initialPage: number | null }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [doc, setDoc] = useState<PdfDocument | null>(null);
  const [page, setPage] = useState(initialPage ?? 1);
  const [error, setError] = useState<string | null>(null);
  const [rendered, setRendered] = useState(0);

  useEffect(() => {
    let cancelled = false;
    let loaded: PdfDocument | null = null;
    (async () => {
      const [pdfjs, url] = await Promise.all([loadPdfjs(), fileLink(file.id, 'inline')]);
      const response = await fetch(url);
      if (!response.ok) throw new Error(await response.text());
      const data = new Uint8Array(await response.arrayBuffer());
      loaded = await pdfjs.getDocument({ data, isEvalSupported: false, enableXfa: false }).promise;
      if (cancelled) return void loaded.destroy();
      setDoc(loaded);
      setPage((p) => Math.min(Math.max(1, p), loaded!.numPages));
    })().catch((failure: unknown) => !cancelled && setError(failure instanceof Error ? failure.message : String(failure)));
    return () => {
      cancelled = true;
      void loaded?.destroy();
    };
  }, [file.id]);

  useEffect(() => {
    if (!doc || !canvas.current) return;
    let cancelled = false;
    let task: { cancel(): void; promise: Promise<void> } | null = null;
    (async () => {
      const pdfPage = await doc.getPage(page);
      if (cancelled || !canvas.current) return;
      const width = Math.min(canvas.current.parentElement?.clientWidth ?? 600, 900);
      const base = pdfPage.getViewport({ scale: 1 });
      const scale = (width / base.width) * (window.devicePixelRatio || 1);
      const viewport = pdfPage.getViewport({ scale });
      canvas.current.width = Math.floor(viewport.width);
      canvas.current.height = Math.floor(viewport.height);
      canvas.current.style.width = `${Math.floor(viewport.width / (window.devicePixelRatio || 1))}px`;
      task = pdfPage.render({ canvas: canvas.current, viewport });
      await task.promise;
      if (!cancelled) setRendered((n) => n + 1);
    })().catch((failure: unknown) => {
      if (!cancelled && !(failure instanceof Error && failure.name === 'RenderingCancelledException')) setError(String(failure));
    });
    return () => {
      cancelled = true;
      task?.cancel();
    };
  }, [doc, page]);

  if (error) return <Problem message={`The PDF could not be shown: ${error}`} />;
  return (
    <div>
      <div className="mb-1 flex items-center gap-2 text-sm">
        <button
          type="button"
          className={`${smallButtonClass} h-7 px-2 text-xs`}
          disabled={!doc || page <= 1}
          onClick={() => setPage((p) => p - 1)}
          aria-label="Previous page"
        >
          ‹
        </button>
        <span role="status" aria-label="PDF page" data-rendered={rendered}>
          {doc ? `Page ${page} of ${doc.numPages}` : 'Loading PDF…'}
        </span>
        <button
          type="button"
          className={`${smallButtonClass} h-7 px-2 text-xs`}
          disabled={!doc || page >= doc.numPages}
          onClick={() => setPage((p) => p + 1)}
          aria-label="Next page"
        >
          ›
        </button>
      </div>
      <div className="overflow-auto">
        <canvas ref={canvas} aria-label={`Page ${page} of ${file.name}`} role="img" className="bg-white shadow-sm" />
      </div>
    </div>
  );
}

function ImagePreview({ file }: { file: FileRow }) {
  const { url, error } = useLink(file.id, 'inline');
  if (error) return <Problem message={error} />;
  if (!url) return <p className="text-sm text-slate-500">Loading…</p>;
  return <img src={url} alt={file.name} referrerPolicy="no-referrer" className="max-h-[32rem] max-w-full rounded bg-white object-contain" />;
}

function TextPreview({ file }: { file: FileRow }) {
  const { url, error } = useLink(file.id, 'inline');
  const [text, setText] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  useEffect(() => {
    if (!url) return;
    let cancelled = false;
    fetch(url)
      .then(async (response) => {
        if (!response.ok) throw new Error(await response.text());
        // At most the first 256 KB are shown; the full file is a download away.
        const reader = response.body!.getReader();
        const chunks: Uint8Array[] = [];
        let size = 0;
        while (size < 256 * 1024) {
          const { done, value } = await reader.read();
          if (done) break;
          chunks.push(value);
          size += value.byteLength;
        }
        await reader.cancel();
        const all = new Uint8Array(size);
        let offset = 0;
        for (const chunk of chunks) {
          all.set(chunk, offset);
          offset += chunk.byteLength;
        }
        if (!cancelled) setText(new TextDecoder().decode(all.subarray(0, 256 * 1024)) + (size >= 256 * 1024 ? '\n…' : ''));
      })
      .catch((problem: unknown) => !cancelled && setFailure(problem instanceof Error ? problem.message : String(problem)));
    return () => {
      cancelled = true;
    };
  }, [url]);
  if (error || failure) return <Problem message={(error ?? failure)!} />;
  if (text === null) return <p className="text-sm text-slate-500">Loading…</p>;
  return (
    <pre className="max-h-[32rem] overflow-auto whitespace-pre-wrap rounded bg-white p-2 font-mono text-xs text-slate-800 dark:bg-slate-950 dark:text-slate-200">
      {text}
    </pre>
  );
}

function TablePreview({ file }: { file: FileRow }) {
  const { url, error } = useLink(file.id, 'table');
  const [table, setTable] = useState<{ sheetName: string | null; rows: string[][]; truncated: boolean } | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  useEffect(() => {
    if (!url) return;
    let cancelled = false;
    fetch(url)
      .then(async (response) => {
        const body = (await response.json()) as { sheetName: string | null; rows: string[][]; truncated: boolean; error?: string };
        if (!response.ok) throw new Error(body.error ?? 'The table could not be read');
        if (!cancelled) setTable(body);
      })
      .catch((problem: unknown) => !cancelled && setFailure(problem instanceof Error ? problem.message : String(problem)));
    return () => {
      cancelled = true;
    };
  }, [url]);
  if (error || failure) return <Problem message={(error ?? failure)!} />;
  if (!table) return <p className="text-sm text-slate-500">Loading…</p>;
  const [header, ...rows] = table.rows;
  const width = Math.max(0, ...table.rows.map((row) => row.length));
  return (
    <div>
      {table.sheetName ? <p className="mb-1 text-xs text-slate-500">Sheet “{table.sheetName}”</p> : null}
      <div className="max-h-[28rem] overflow-auto rounded border border-slate-200 bg-white dark:border-slate-700 dark:bg-slate-950">
        <table aria-label={`Table of ${file.name}`} className="min-w-full border-collapse text-xs">
          {header ? (
            <thead className="sticky top-0 bg-slate-100 dark:bg-slate-800">
              <tr>
                {Array.from({ length: width }, (_, index) => (
                  <th key={index} scope="col" className="border-b border-slate-200 px-2 py-1 text-left font-medium dark:border-slate-700">
                    {header[index] ?? ''}
                  </th>
                ))}
              </tr>
            </thead>
          ) : null}
          <tbody>
            {rows.map((row, rowIndex) => (
              <tr key={rowIndex} className="odd:bg-slate-50/60 dark:odd:bg-slate-900/60">
                {Array.from({ length: width }, (_, index) => (
                  <td key={index} className="border-b border-slate-100 px-2 py-1 align-top dark:border-slate-800">
                    {row[index] ?? ''}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {table.truncated ? (
        <p className="mt-1 text-xs text-slate-500">The first {table.rows.length} rows are shown: download the file for the rest.</p>
      ) : null}
    </div>
  );
}
