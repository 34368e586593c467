import Collaboration from '@tiptap/extension-collaboration';
import CollaborationCaret from '@tiptap/extension-collaboration-caret';
import { EditorContent, useEditor } from '@tiptap/react';
import StarterKit from '@tiptap/starter-kit';
import { itemNotes } from '@tieout/doc-model';
import { useEffect } from 'react';
import type { WebsocketProvider } from 'y-websocket';
import type * as Y from 'yjs';
import type { PresenceUser } from '~/utils/collab.ts';

/** The rich-text notes of one item, bound to its Y.XmlFragment; remote carets come from awareness. */
export function ItemNotes({
  doc,
  provider,
  itemId,
  itemTitle,
  user,
  editable,
}: {
  doc: Y.Doc;
  provider: WebsocketProvider;
  itemId: string;
  itemTitle: string;
  user: PresenceUser;
  editable: boolean;
}) {
  const editor = useEditor(
    {
      immediatelyRender: false,
      editable,
      extensions: [
        // Undo/redo comes from the Collaboration extension (Yjs undo manager), not ProseMirror history.
        StarterKit.configure({ undoRedo: false }),
        Collaboration.configure({ fragment: itemNotes(doc, itemId) }),
        CollaborationCaret.configure({ provider, user: { name: user.name, color: user.color, id: user.id } }),
      ],
      editorProps: {
        attributes: {
          role: 'textbox',
          'aria-multiline': 'true',
          'aria-label': `Notes of ${itemTitle}`,
          'aria-readonly': editable ? 'false' : 'true',
          class: 'tiptap text-sm leading-relaxed',
        },
      },
    },
    [doc, provider, itemId],
  );

  useEffect(() => {
    if (editor && editor.isEditable !== editable) editor.setEditable(editable);
  }, [editor, editable]);

  useEffect(() => {
    editor?.setOptions({
      editorProps: {
        attributes: {
          role: 'textbox',
          'aria-multiline': 'true',
          'aria-label': `Notes of ${itemTitle}`,
          'aria-readonly': editable ? 'false' : 'true',
          class: 'tiptap text-sm leading-relaxed',
        },
      },
    });
  }, [editor, itemTitle, editable]);

  return (
    <div className="rounded-md border border-slate-200 bg-white px-3 py-2 dark:border-slate-700 dark:bg-slate-950">
      {editor ? <EditorContent editor={editor} /> : <p className="text-sm text-slate-400">Loading notes…</p>}
    </div>
  );
}
