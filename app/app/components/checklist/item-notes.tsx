import Collaboration from '@tiptap/extension-collaboration';
import CollaborationCaret from '@tiptap/extension-collaboration-caret';
import { TaskItem, TaskList } from '@tiptap/extension-list';
import { TableKit } from '@tiptap/extension-table';
import { EditorContent, useEditor, useEditorState, type Editor } from '@tiptap/react';
import StarterKit from '@tiptap/starter-kit';
import { itemNotes, notesDepth, NOTES_MAX_DEPTH } from '@tieout/doc-model';
import { useEffect, useMemo, useRef, useState, type FormEvent, type KeyboardEvent, type ReactNode } from 'react';
import type { WebsocketProvider } from 'y-websocket';
import type * as Y from 'yjs';
import type { PresenceUser } from '~/utils/collab.ts';
import { CommentHighlights, refreshHighlights, selectionAnchor, type HighlightedThread } from '../review/comment-highlights.ts';
import { useReview } from '../review/review-context.tsx';
import { FieldError, useFieldError } from './field-error.tsx';

const SAFE_LINK = /^(https?:\/\/|mailto:)/i;

function editorAttributes(itemTitle: string, editable: boolean) {
  return {
    role: 'textbox',
    'aria-multiline': 'true',
    'aria-label': `Notes of ${itemTitle}`,
    'aria-readonly': editable ? 'false' : 'true',
    class: 'tiptap text-sm leading-relaxed',
  };
}

type NotesProps = {
  doc: Y.Doc;
  provider: WebsocketProvider;
  itemId: string;
  itemTitle: string;
  user: PresenceUser;
  editable: boolean;
};

/**
 * The rich-text notes of one item. The editor's binding walks the notes recursively, so notes nested deeper than the
 * server accepts (only a document stored before that check can hold them) are not handed to it: the page says so
 * instead of failing (issue 10).
 */
export function ItemNotes(props: NotesProps) {
  const tooDeep = useMemo(() => notesDepth(props.doc, props.itemId) > NOTES_MAX_DEPTH, [props.doc, props.itemId]);
  if (tooDeep) {
    return (
      <p
        role="status"
        className="rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-100"
      >
        These notes are nested more than {NOTES_MAX_DEPTH} levels deep and cannot be shown or edited here. Their text is still searchable.
      </p>
    );
  }
  return <NotesEditor {...props} />;
}

/** The notes editor, bound to the item's Y.XmlFragment; remote carets come from awareness. */
function NotesEditor({ doc, provider, itemId, itemTitle, user, editable }: NotesProps) {
  // Comment threads anchored to this item's notes: highlighted for everyone (decision 130).
  const review = useReview();
  const reviewRef = useRef(review);
  reviewRef.current = review;
  const anchored = useMemo<HighlightedThread[]>(
    () =>
      (review?.data?.threads ?? []).flatMap((thread) =>
        thread.itemId === itemId && thread.anchor && !thread.resolvedAt && !thread.deletedAt ? [{ id: thread.id, anchor: thread.anchor }] : [],
      ),
    [review?.data?.threads, itemId],
  );
  const anchoredRef = useRef(anchored);
  anchoredRef.current = anchored;
  const activeThread = review?.panel.open ? review.panel.threadId : null;
  const activeRef = useRef(activeThread);
  activeRef.current = activeThread;
  const [selectionHint, setSelectionHint] = useState<string | null>(null);
  const editor = useEditor(
    {
      immediatelyRender: false,
      editable,
      extensions: [
        // Undo/redo comes from the Collaboration extension (Yjs undo manager), not ProseMirror history.
        StarterKit.configure({
          undoRedo: false,
          heading: { levels: [2, 3] },
          link: {
            openOnClick: false,
            autolink: true,
            defaultProtocol: 'https',
            isAllowedUri: (url) => SAFE_LINK.test(url),
            HTMLAttributes: { rel: 'noopener noreferrer nofollow', target: '_blank' },
          },
        }),
        TaskList,
        TaskItem.configure({ nested: true }),
        TableKit.configure({ table: { resizable: false } }),
        Collaboration.configure({ fragment: itemNotes(doc, itemId) }),
        CollaborationCaret.configure({ provider, user: { name: user.name, color: user.color, id: user.id } }),
        CommentHighlights.configure({
          threads: () => anchoredRef.current,
          activeThreadId: () => activeRef.current,
          onActivate: (threadId) => reviewRef.current?.openPanel({ threadId, itemId }),
        }),
      ],
      editorProps: { attributes: editorAttributes(itemTitle, editable) },
    },
    [doc, provider, itemId],
  );

  useEffect(() => {
    if (editor && editor.isEditable !== editable) editor.setEditable(editable);
  }, [editor, editable]);

  useEffect(() => {
    editor?.setOptions({ editorProps: { attributes: editorAttributes(itemTitle, editable) } });
  }, [editor, itemTitle, editable]);

  useEffect(() => {
    if (editor) refreshHighlights(editor);
  }, [editor, anchored, activeThread]);

  const commentOnSelection = () => {
    if (!editor || !review) return;
    const selected = selectionAnchor(editor);
    if (!selected) {
      setSelectionHint('Select some text of the notes first, then choose Comment.');
      return;
    }
    setSelectionHint(null);
    review.openPanel({ itemId, draft: { itemId, anchor: selected.anchor, quote: selected.quote } });
  };

  return (
    <div className="rounded-md border border-slate-200 bg-white dark:border-slate-700 dark:bg-slate-950">
      {editor ? (
        <>
          <NotesToolbar editor={editor} itemTitle={itemTitle} editable={editable} />
          <div className="px-3 py-2">
            <EditorContent editor={editor} />
          </div>
          {review?.canComment ? (
            <div className="flex flex-wrap items-center gap-2 border-t border-slate-100 px-3 py-1.5 dark:border-slate-800">
              <button
                type="button"
                aria-label={`Comment on selected text of ${itemTitle}`}
                onMouseDown={(event) => event.preventDefault()}
                onClick={commentOnSelection}
                className="rounded-md border border-slate-300 px-2 py-0.5 text-xs font-medium text-slate-700 hover:bg-slate-50 dark:border-slate-700 dark:text-slate-200 dark:hover:bg-slate-800"
              >
                Comment on selection
              </button>
              {selectionHint ? (
                <span role="status" className="text-xs text-slate-500">
                  {selectionHint}
                </span>
              ) : null}
            </div>
          ) : null}
        </>
      ) : (
        <p className="px-3 py-2 text-sm text-slate-400">Loading notes…</p>
      )}
    </div>
  );
}

/** A small toolbar (WAI-ARIA toolbar pattern: one tab stop, arrow keys move between buttons). */
function NotesToolbar({ editor, itemTitle, editable }: { editor: Editor; itemTitle: string; editable: boolean }) {
  const state = useEditorState({
    editor,
    selector: ({ editor: e }) => ({
      bold: e.isActive('bold'),
      italic: e.isActive('italic'),
      h2: e.isActive('heading', { level: 2 }),
      h3: e.isActive('heading', { level: 3 }),
      bullet: e.isActive('bulletList'),
      ordered: e.isActive('orderedList'),
      task: e.isActive('taskList'),
      link: e.isActive('link'),
      table: e.isActive('table'),
      href: (e.getAttributes('link').href as string | undefined) ?? '',
    }),
  });
  const [linkOpen, setLinkOpen] = useState(false);
  const toolbarRef = useRef<HTMLDivElement>(null);
  const [active, setActive] = useState(0);
  const chain = () => editor.chain().focus();

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.key !== 'ArrowRight' && event.key !== 'ArrowLeft' && event.key !== 'Home' && event.key !== 'End') return;
    const buttons = [...(toolbarRef.current?.querySelectorAll<HTMLButtonElement>('button[data-tool]') ?? [])];
    if (buttons.length === 0) return;
    event.preventDefault();
    const current = buttons.indexOf(document.activeElement as HTMLButtonElement);
    const next =
      event.key === 'Home'
        ? 0
        : event.key === 'End'
          ? buttons.length - 1
          : (current + (event.key === 'ArrowRight' ? 1 : -1) + buttons.length) % buttons.length;
    setActive(next);
    buttons[next]!.focus();
  };

  let index = 0;
  const tool = (label: string, pressed: boolean | undefined, run: () => void, content: ReactNode) => {
    const position = index++;
    return (
      <button
        type="button"
        data-tool
        tabIndex={position === active ? 0 : -1}
        aria-label={label}
        aria-pressed={pressed}
        title={label}
        disabled={!editable}
        onMouseDown={(event) => event.preventDefault()}
        onClick={() => {
          setActive(position);
          run();
        }}
        className="inline-flex h-7 min-w-7 items-center justify-center rounded px-1.5 text-xs font-semibold text-slate-600 hover:bg-slate-100 aria-pressed:bg-sky-100 aria-pressed:text-sky-900 disabled:opacity-40 dark:text-slate-300 dark:hover:bg-slate-800 dark:aria-pressed:bg-sky-900 dark:aria-pressed:text-sky-100"
      >
        {content}
      </button>
    );
  };

  return (
    <div className="border-b border-slate-200 dark:border-slate-700">
      <div
        ref={toolbarRef}
        role="toolbar"
        aria-label={`Formatting for ${itemTitle}`}
        aria-controls={undefined}
        onKeyDown={onKeyDown}
        className="flex flex-wrap items-center gap-0.5 px-1.5 py-1"
      >
        {tool('Bold', state.bold, () => chain().toggleBold().run(), <b>B</b>)}
        {tool('Italic', state.italic, () => chain().toggleItalic().run(), <i className="font-serif">I</i>)}
        <Divider />
        {tool('Heading', state.h2, () => chain().toggleHeading({ level: 2 }).run(), 'H2')}
        {tool('Subheading', state.h3, () => chain().toggleHeading({ level: 3 }).run(), 'H3')}
        <Divider />
        {tool('Bullet list', state.bullet, () => chain().toggleBulletList().run(), '• List')}
        {tool('Numbered list', state.ordered, () => chain().toggleOrderedList().run(), '1. List')}
        {tool('Task list', state.task, () => chain().toggleTaskList().run(), '☑ Tasks')}
        <Divider />
        {tool('Link', state.link, () => setLinkOpen((open) => !open), 'Link')}
        {state.table
          ? [
              tool('Add row', undefined, () => chain().addRowAfter().run(), '+ Row'),
              tool('Add column', undefined, () => chain().addColumnAfter().run(), '+ Col'),
              tool('Delete table', undefined, () => chain().deleteTable().run(), '− Table'),
            ]
          : tool('Insert table', undefined, () => chain().insertTable({ rows: 3, cols: 3, withHeaderRow: true }).run(), 'Table')}
      </div>
      {linkOpen && editable ? (
        <LinkForm
          initial={state.href}
          onApply={(href) => {
            chain().extendMarkRange('link').setLink({ href }).run();
            // Leave the caret after the link, as editors do, so the next key cannot replace the linked text.
            chain().setTextSelection(editor.state.selection.to).run();
            setLinkOpen(false);
          }}
          onRemove={() => {
            chain().extendMarkRange('link').unsetLink().run();
            setLinkOpen(false);
          }}
          onCancel={() => {
            setLinkOpen(false);
            editor.commands.focus();
          }}
        />
      ) : null}
    </div>
  );
}

function Divider() {
  return <span aria-hidden="true" className="mx-1 h-4 w-px bg-slate-200 dark:bg-slate-700" />;
}

function LinkForm({
  initial,
  onApply,
  onRemove,
  onCancel,
}: {
  initial: string;
  onApply: (href: string) => void;
  onRemove: () => void;
  onCancel: () => void;
}) {
  const [href, setHref] = useState(initial);
  const { error, setError, errorId, invalidProps } = useFieldError();
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const value = href.trim();
    if (!SAFE_LINK.test(value)) return setError('Links must start with https://, http:// or mailto:');
    onApply(value);
  };
  return (
    <form onSubmit={onSubmit} className="flex flex-wrap items-center gap-1.5 px-2 pb-2" noValidate>
      <input
        autoFocus
        aria-label="Link address"
        placeholder="https://…"
        value={href}
        onChange={(event) => setHref(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === 'Escape') {
            event.preventDefault();
            onCancel();
          }
        }}
        {...invalidProps}
        className="min-w-0 flex-1 rounded-md border border-slate-300 bg-white px-2 py-1 text-sm focus:border-sky-500 focus:outline-none focus:ring-2 focus:ring-sky-500/30 dark:border-slate-700 dark:bg-slate-900"
      />
      <button
        type="submit"
        className="rounded-md border border-slate-300 px-2 py-1 text-xs font-medium hover:bg-slate-50 dark:border-slate-700 dark:hover:bg-slate-800"
      >
        Apply link
      </button>
      {initial ? (
        <button
          type="button"
          onClick={onRemove}
          className="rounded-md px-2 py-1 text-xs text-slate-600 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800"
        >
          Remove link
        </button>
      ) : null}
      <FieldError id={errorId} error={error} />
    </form>
  );
}
