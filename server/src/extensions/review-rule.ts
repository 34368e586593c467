import { itemsOf, itemsSetToDone, readItem, readItemField } from '@tieout/doc-model';
import { loadApprovalRule, notifyItemAssigned, subscribeLiveEvents, type Database, type LiveSubscription } from '@tieout/db';
import * as Y from 'yjs';
import type { CollabExtension } from '../lifecycle.ts';

/** What the rule knows of one checklist: the setting, and per approved item the fingerprint it was approved at. */
export interface ApprovalRule {
  doneRequiresApproval: boolean;
  /** Items whose latest decision is an approval, with the fingerprint recorded then. */
  approved: ReadonlyMap<string, string | null>;
}

/**
 * "Done requires approval": the reason to refuse `update`, or null to accept it. An item may move to done only
 * when its latest decision is an approval of exactly the content it has after the update (doc-model
 * itemFingerprint; the status itself is not part of it). Pure: nothing is applied to `doc`.
 */
export function doneRequiresApprovalVerdict(rule: ApprovalRule, doc: Y.Doc, update: Uint8Array): string | null {
  if (!rule.doneRequiresApproval) return null;
  for (const { itemId, fingerprint } of itemsSetToDone(doc, update)) {
    const approvedAt = rule.approved.get(itemId);
    if (approvedAt === undefined || approvedAt !== fingerprint) {
      const entry = itemsOf(doc).get(itemId);
      const title = entry instanceof Y.Map ? readItem(entry as Y.Map<unknown>, itemId).title : 'an item';
      return `done requires approval: "${title}" has ${approvedAt === undefined ? 'no approval' : 'changed since its approval'}`;
    }
  }
  return null;
}

interface Room {
  doc: Y.Doc;
  rule: ApprovalRule;
  /** Each item's owner as last seen, to tell who was newly assigned. */
  owners: Map<string, string | null>;
  /** Bumped when a reload starts, so an older reload finishing late does not win. */
  generation: number;
}

function ownersOf(doc: Y.Doc): Map<string, string | null> {
  const owners = new Map<string, string | null>();
  // Logs stored before the schema guard may hold entries that are not item maps: readers read past them.
  itemsOf(doc).forEach((entry, id) => {
    if (entry instanceof Y.Map) owners.set(id, readItemField(entry as Y.Map<unknown>, 'ownerId'));
  });
  return owners;
}

/**
 * The review rules of the collaboration server:
 * - beforeApplyUpdate refuses (closes the session, 4403 with the reason) an update that sets an item to done
 *   without a current approval where the checklist's "done requires approval" is on; a stock client meets the
 *   same rule as the app. The setting and approvals are cached per room: loaded with the document and reloaded
 *   on every `approvals` live event of the checklist (from any process).
 * - afterPersist notifies a newly assigned owner (who assigned: the author of the latest persisted update).
 */
export interface ReviewRuleExtension extends CollabExtension {
  /** The rule cached for a loaded checklist (for tests and diagnostics). */
  cachedRule(checklistId: string): ApprovalRule | undefined;
}

export function reviewRuleExtension(db: Database, { writes = db }: { writes?: Database } = {}): ReviewRuleExtension {
  const rooms = new Map<string, Room>();
  let subscription: Promise<LiveSubscription> | null = null;

  const reload = async (checklistId: string) => {
    const room = rooms.get(checklistId);
    if (!room) return;
    const generation = ++room.generation;
    const rule = await loadApprovalRule(db, checklistId);
    if (rooms.get(checklistId) === room && room.generation === generation) room.rule = rule;
  };

  const subscribe = () => {
    subscription ??= subscribeLiveEvents(
      db,
      (event) => {
        if (event.topic === 'approvals' && event.checklistId && rooms.has(event.checklistId)) void reload(event.checklistId).catch(() => {});
      },
      // After a gap any decision may have been missed: reload every room.
      { onGap: () => rooms.forEach((_room, checklistId) => void reload(checklistId).catch(() => {})) },
    );
    return subscription;
  };

  return {
    name: 'review-rule',
    cachedRule: (checklistId) => rooms.get(checklistId)?.rule,
    async afterLoadDocument({ checklistId, doc }) {
      await subscribe();
      const room: Room = {
        doc,
        rule: { doneRequiresApproval: false, approved: new Map() },
        owners: ownersOf(doc),
        generation: 0,
      };
      rooms.set(checklistId, room);
      room.rule = await loadApprovalRule(db, checklistId);
    },
    beforeApplyUpdate({ checklistId, doc, update }) {
      const room = rooms.get(checklistId);
      // No cache means the load failed: refuse rather than let a rule go unchecked.
      if (!room || room.doc !== doc) return { action: 'close', reason: 'review rules are not loaded; reconnect', code: 1013 };
      const reason = doneRequiresApprovalVerdict(room.rule, doc, update);
      return reason ? { action: 'close', reason } : undefined;
    },
    async afterPersist({ checklistId, workspaceId, doc, updates, changes }) {
      const room = rooms.get(checklistId);
      if (!room) return;
      const latest = [...updates].reverse().find((update) => update.source === 'persisted');
      const author = latest?.userId ?? null;
      for (const itemId of changes.items) {
        const entry = itemsOf(doc).get(itemId);
        // The owner alone, not the whole item: this runs for every changed item of every run (decision 175).
        const owner = entry instanceof Y.Map ? readItemField(entry as Y.Map<unknown>, 'ownerId') : null;
        const before = room.owners.get(itemId) ?? null;
        room.owners.set(itemId, owner);
        if (owner && owner !== before && author) {
          await notifyItemAssigned(writes, {
            workspaceId,
            checklistId,
            itemId,
            ownerId: owner,
            assignedBy: author,
            dedupeKey: String(latest?.updateId ?? ''),
          });
        }
      }
    },
    beforeUnloadDocument({ checklistId, doc }) {
      // The live-event subscription stays for the process's life (one LISTEN): unlistening here could wait on the
      // embedded database while the room is being unloaded.
      if (rooms.get(checklistId)?.doc === doc) rooms.delete(checklistId);
    },
  };
}
