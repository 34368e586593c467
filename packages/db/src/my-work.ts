/*
 * "My work": what waits for the signed-in user across every workspace they are in, read under RLS.
 * - items assigned to me that are not done (nearest due date first);
 * - open threads I take part in (opened, replied or was mentioned) whose latest comment is someone else's;
 * - reviews waiting for me: in workspaces where I review (owner or reviewer), items marked "needs review" whose
 *   review state is not a current approval.
 */
import type { Database, JwtClaims } from './types.ts';
import type { ReviewState } from './reviews.ts';
import { listedChecklists } from './structure.ts';

export interface MyWorkItem {
  checklistId: string;
  checklistTitle: string;
  dealName: string;
  itemId: string;
  title: string;
  status: string;
  dueDate: string | null;
  reviewState: ReviewState;
}

export interface MyWorkThread {
  threadId: string;
  checklistId: string;
  checklistTitle: string;
  dealName: string;
  itemId: string;
  itemTitle: string | null;
  lastAuthorName: string | null;
  lastBody: string;
  lastAt: string;
}

export interface MyWork {
  assigned: MyWorkItem[];
  threads: MyWorkThread[];
  reviews: MyWorkItem[];
  counts: { assigned: number; threads: number; reviews: number };
}

const LIMIT = 200;

type ItemRow = {
  checklist_id: string;
  checklist_title: string;
  deal_name: string;
  item_id: string;
  title: string;
  status: string;
  due_date: string | null;
  review_state: ReviewState | null;
};

const toItem = (row: ItemRow): MyWorkItem => ({
  checklistId: row.checklist_id,
  checklistTitle: row.checklist_title,
  dealName: row.deal_name,
  itemId: row.item_id,
  title: row.title,
  status: row.status,
  dueDate: row.due_date,
  reviewState: row.review_state ?? 'none',
});

const ITEM_SELECT = `
  select ci.checklist_id, c.title as checklist_title, d.name as deal_name, ci.item_id, ci.title, ci.status, ci.due_date,
         s.state as review_state
    from public.checklist_items ci
    join public.checklists c on c.id = ci.checklist_id
    join public.deals d on d.id = ci.deal_id
    left join public.item_review_states s on s.checklist_id = ci.checklist_id and s.item_id = ci.item_id`;

export async function getMyWork(db: Database, claims: JwtClaims): Promise<MyWork> {
  // Archived checklists, workstreams and deals are left out (decision 153).
  const listed = listedChecklists('ci.checklist_id', false);
  return db.asUser(claims, async (sql) => {
    const { rows: assigned } = await sql.query<ItemRow>(
      `${ITEM_SELECT} where ci.owner_id = $1 and ci.status <> 'done' and ${listed}
        order by ci.due_date nulls last, d.name, c.title, ci.position limit ${LIMIT}`,
      [claims.sub],
    );
    const { rows: reviews } = await sql.query<ItemRow>(
      `${ITEM_SELECT} where ci.status = 'needs_review' and public.can_review_workspace(ci.workspace_id) and ${listed}
          and coalesce(s.state, 'none') <> 'approved'
        order by ci.due_date nulls last, d.name, c.title, ci.position limit ${LIMIT}`,
    );
    const { rows: threads } = await sql.query<{
      thread_id: string;
      checklist_id: string;
      checklist_title: string;
      deal_name: string;
      item_id: string;
      item_title: string | null;
      last_author_name: string | null;
      last_body: string;
      last_at: string | Date;
    }>(
      `select t.id as thread_id, t.checklist_id, c.title as checklist_title, d.name as deal_name, t.item_id, ci.title as item_title,
              p.display_name as last_author_name, left(last.body, 280) as last_body, last.created_at as last_at
         from public.comment_threads t
         join public.checklists c on c.id = t.checklist_id
         join public.deals d on d.id = c.deal_id
         left join public.checklist_items ci on ci.checklist_id = t.checklist_id and ci.item_id = t.item_id
         cross join lateral (
           select cm.author_id, cm.body, cm.created_at from public.comments cm
            where cm.thread_id = t.id and cm.deleted_at is null order by cm.created_at desc, cm.id desc limit 1
         ) last
         left join public.profiles p on p.id = last.author_id
        where t.resolved_at is null and t.deleted_at is null and ${listedChecklists('t.checklist_id', false)}
          and last.author_id is distinct from $1
          and (t.created_by = $1
            or exists (select 1 from public.comments mine where mine.thread_id = t.id and mine.author_id = $1)
            or exists (select 1 from public.comment_mentions m where m.thread_id = t.id and m.user_id = $1))
        order by last.created_at desc limit ${LIMIT}`,
      [claims.sub],
    );
    return {
      assigned: assigned.map(toItem),
      reviews: reviews.map(toItem),
      threads: threads.map((row) => ({
        threadId: row.thread_id,
        checklistId: row.checklist_id,
        checklistTitle: row.checklist_title,
        dealName: row.deal_name,
        itemId: row.item_id,
        itemTitle: row.item_title,
        lastAuthorName: row.last_author_name,
        lastBody: row.last_body,
        lastAt: new Date(row.last_at).toISOString(),
      })),
      counts: { assigned: assigned.length, threads: threads.length, reviews: reviews.length },
    };
  });
}
