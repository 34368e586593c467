import { addItem, addSection, itemNotes, setFigure, updateItem, deleteItem } from '@tieout/doc-model';
import { searchEverything } from '@tieout/db';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { projectionExtension, searchIndexExtension } from '../src/index.ts';
import { createFixture, useCollabServer, waitFor } from '../src/testing.ts';

const t = useCollabServer({ server: false });

describe('search index extension', () => {
  it('indexes item titles and references, notes and figure labels after persistence, and follows edits and deletions', async () => {
    const fx = await createFixture(t.db);
    const server = await t.startServer(t.db, {
      timing: { persistWindowMs: 100 },
      extensions: [projectionExtension(t.db), searchIndexExtension(t.db)],
    });
    const editor = await t.connect(server, fx.checklistId, fx.users.editor);
    await editor.synced();
    const sectionId = addSection(editor.doc, { title: 'Power' });
    const itemId = addItem(editor.doc, { sectionId, title: 'Interconnection agreement', reference: 'EC-14' });
    setFigure(editor.doc, itemId, { kind: 'mw', label: 'Contracted capacity', value: 260 });
    const notes = itemNotes(editor.doc, itemId);
    editor.doc.transact(() => {
      const paragraph = new Y.XmlElement('paragraph');
      paragraph.insert(0, [new Y.XmlText('The utility may curtail output during grid emergencies')]);
      notes.insert(0, [paragraph]);
    });
    const find = async (query: string) =>
      (await t.db.asUser(fx.users.viewer.claims, (sql) => searchEverything(sql, query))).hits.map((hit) => hit.kind).sort();
    await waitFor(async () => (await find('curtail')).includes('note'), 'the notes in the index');
    expect(await find('interconnection')).toEqual(['item', 'note']);
    expect(await find('EC-14')).toEqual(['item']);
    expect(await find('contracted capacity')).toEqual(['figure']);
    // An outsider finds nothing of it.
    expect((await t.db.asUser(fx.users.outsider.claims, (sql) => searchEverything(sql, 'interconnection'))).hits).toEqual([]);

    updateItem(editor.doc, itemId, { title: 'Generator interconnection agreement' });
    await waitFor(async () => (await find('generator')).includes('item'), 'the new title in the index');
    deleteItem(editor.doc, itemId);
    await waitFor(async () => (await find('interconnection')).length === 0, 'the deleted item out of the index');
    expect(await find('curtail')).toEqual([]);
  });
});
