-- Assignments are notified by the collaboration server's review extension (server/src/extensions/review-rule.ts),
-- which knows who made the change; the projection writes rows as nobody in particular (updated_by null), so a
-- trigger on public.checklist_items cannot tell who assigned whom.
drop trigger checklist_items_assignment on public.checklist_items;
drop function public.notify_on_assignment();

grant execute on function public.notify_user(uuid, uuid, text, uuid, text, uuid, uuid, uuid, text) to service_role;
