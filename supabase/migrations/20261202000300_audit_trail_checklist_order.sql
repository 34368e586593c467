-- A checklist's activity feed (History page: listAuditTrail with a checklist and no item, newest first, 200 rows) had
-- no index in its order: audit_trail_item_idx leads with the item, so every row of the checklist was read, checked by
-- RLS and sorted before the first 200 came out (5.7 s for 50,000 rows of one checklist on a loaded machine; 70 ms
-- with this index, which stops after the rows it shows). Deal and workspace feeds have theirs since 20261201000300.
create index audit_trail_checklist_idx on public.audit_trail (checklist_id, created_at desc, id desc) where checklist_id is not null;
