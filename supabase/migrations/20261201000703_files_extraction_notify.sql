-- A file's text extraction finishing is a live 'files' event too, so open item panels stop saying "reading text…".
drop trigger item_files_notify on public.item_files;
create trigger item_files_notify after insert or update of removed_at, extraction on public.item_files
  for each row execute function public.item_files_notify();
