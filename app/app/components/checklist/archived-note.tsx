import { Link } from '@remix-run/react';

/**
 * The note an archived checklist's pages show (the list and the grid): what is archived (the checklist, or its
 * workstream or deal) and a link to the workspace's Archived view, where an owner unarchives it (decision 153).
 */
export function ArchivedNote({ archived, workspaceId }: { archived: 'checklist' | 'workstream' | 'deal' | null; workspaceId: string }) {
  if (!archived) return null;
  return (
    <p
      role="note"
      className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:border-amber-900 dark:bg-amber-950 dark:text-amber-200"
    >
      {archived === 'checklist' ? 'This checklist is archived' : `This checklist’s ${archived} is archived`}: it is hidden from lists, dashboards and
      search, and kept as it is.{' '}
      <Link to={`/workspaces/${workspaceId}/archived`} className="font-medium underline">
        Archived view
      </Link>
    </p>
  );
}
