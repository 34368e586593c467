import { problemMessage, rollupFigures, titleSchema, TITLE_MAX_LENGTH, type ItemView, type SectionView } from '@tieout/doc-model';
import { memo, useLayoutEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import type { PresentPerson } from '~/utils/collab.ts';
import { useActions } from './actions.ts';
import { CollabTitle } from './collab-title.tsx';
import { useDragHandle, useDropIndicator, useDropZone, useIsCarried } from './drag.ts';
import { FieldError, useFieldError } from './field-error.tsx';
import { Icon } from './icons.tsx';
import { ItemRow, type Member } from './item-row.tsx';
import { iconButtonClass, smallButtonClass, textControlClass } from './labels.ts';
import { Rollups } from './rollups.tsx';
import { isOverdue } from './view.ts';

const NOBODY: PresentPerson[] = [];

export const SectionCard = memo(function SectionCard({
  section,
  items,
  members,
  editable,
  reorderable,
  isFirst,
  isLast,
  selectedIds,
  presenceByItem,
  today,
  filtered,
}: {
  section: SectionView;
  /** The items shown (filtered and sorted); `section.items` holds them all. */
  items: ItemView[];
  members: Member[];
  editable: boolean;
  reorderable: boolean;
  isFirst: boolean;
  isLast: boolean;
  selectedIds: ReadonlySet<string>;
  presenceByItem: Map<string, PresentPerson[]>;
  today: string;
  filtered: boolean;
}) {
  const actions = useActions();
  const headingId = `section-${section.id}`;
  const [renaming, setRenaming] = useState(false);
  // Why the last rename was refused (the field closes; the message stays under the name until the next rename).
  const nameError = useFieldError();
  const done = section.items.filter((item) => item.status === 'done').length;
  const canReorder = editable && reorderable;
  const sectionRef = useRef<HTMLElement>(null);
  // The card takes drops of sections (before/after it) and of items (on a row, or at its end): see drag.ts.
  const dropZone = useDropZone(canReorder);
  const dropAt = useDropIndicator('section', section.id);
  const carried = useIsCarried('section', section.id);
  const handle = useDragHandle({ kind: 'section', id: section.id }, canReorder);

  useLayoutEffect(() => {
    const control = actions.takePendingFocus(section.id);
    if (!control || !sectionRef.current) return;
    const target =
      sectionRef.current.querySelector<HTMLElement>(`[data-control="${control}"]:not(:disabled)`) ??
      sectionRef.current.querySelector<HTMLElement>('[data-control="section-handle"]');
    target?.focus();
    target?.scrollIntoView({ block: 'nearest' });
  });

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (!event.altKey || (event.key !== 'ArrowUp' && event.key !== 'ArrowDown')) return;
    event.preventDefault();
    if (canReorder) actions.moveSectionBy(section.id, event.key === 'ArrowUp' ? -1 : 1);
  };

  return (
    <section
      ref={sectionRef}
      aria-labelledby={headingId}
      data-section-id={section.id}
      data-drop-indicator={dropAt ?? undefined}
      {...dropZone}
      className={`relative rounded-lg border bg-white shadow-sm dark:bg-slate-900 ${
        dropAt === 'end' ? 'border-sky-400 ring-1 ring-sky-400 dark:border-sky-600' : 'border-slate-200 dark:border-slate-800'
      } ${carried ? 'opacity-60 ring-2 ring-sky-400' : ''}`}
    >
      {dropAt === 'before' || dropAt === 'after' ? (
        <div
          aria-hidden="true"
          className={`pointer-events-none absolute inset-x-0 h-1 rounded bg-sky-500 ${dropAt === 'before' ? '-top-3' : '-bottom-3'}`}
        />
      ) : null}
      <div
        onKeyDown={onKeyDown}
        className="flex flex-wrap items-center gap-x-2 gap-y-1 rounded-t-lg border-b border-slate-200 bg-slate-50/60 px-3 py-2 dark:border-slate-800 dark:bg-slate-900"
      >
        <button
          type="button"
          data-control="section-handle"
          aria-label={`Drag section ${section.title}`}
          aria-keyshortcuts="Alt+ArrowUp Alt+ArrowDown"
          aria-describedby="reorder-hint"
          disabled={!canReorder}
          {...handle}
          className={`${iconButtonClass} cursor-grab select-none ${canReorder ? 'touch-none' : ''}`}
        >
          <Icon name="grip" />
        </button>
        {renaming ? (
          <CollabTitle
            target={{ kind: 'section', id: section.id }}
            title={section.title}
            labelPrefix="Name of section "
            disabled={!editable}
            autoFocus
            className="min-w-[12rem] flex-1 text-base font-semibold max-sm:min-w-[calc(100%-3.5rem)]"
            onDone={(_how, problem) => {
              setRenaming(false);
              nameError.setError(problem ?? null);
            }}
          />
        ) : (
          <h2
            id={headingId}
            aria-describedby={nameError.error ? nameError.errorId : undefined}
            className="min-w-0 flex-1 text-base font-semibold max-sm:min-w-[calc(100%-3.5rem)]"
          >
            {section.title}
          </h2>
        )}
        {renaming ? (
          <h2 id={headingId} className="sr-only">
            {section.title}
          </h2>
        ) : null}
        <span className="text-xs tabular-nums text-slate-500 dark:text-slate-400">
          {done}/{section.items.length} done
        </span>
        <div className="flex">
          <button
            type="button"
            aria-label={renaming ? `Stop renaming ${section.title}` : `Rename section ${section.title}`}
            disabled={!editable}
            onClick={() => setRenaming((open) => !open)}
            className={iconButtonClass}
          >
            <Icon name={renaming ? 'close' : 'pencil'} />
          </button>
          <button
            type="button"
            data-control="section-up"
            aria-label={`Move section ${section.title} up`}
            disabled={!canReorder || isFirst}
            onClick={() => actions.moveSectionBy(section.id, -1)}
            className={iconButtonClass}
          >
            <Icon name="up" />
          </button>
          <button
            type="button"
            data-control="section-down"
            aria-label={`Move section ${section.title} down`}
            disabled={!canReorder || isLast}
            onClick={() => actions.moveSectionBy(section.id, 1)}
            className={iconButtonClass}
          >
            <Icon name="down" />
          </button>
          <button
            type="button"
            aria-label={`Delete section ${section.title}`}
            disabled={!editable}
            onClick={() => void actions.deleteSection(section.id)}
            className={`${iconButtonClass} hover:text-red-700 dark:hover:text-red-300`}
          >
            <Icon name="trash" />
          </button>
        </div>
        <FieldError id={nameError.errorId} error={nameError.error} />
        <Rollups label={`Totals for ${section.title}`} rollups={rollupFigures(section.items)} className="w-full pl-9" />
      </div>
      {items.length === 0 ? (
        <p className="px-4 py-3 text-sm text-slate-500">{filtered ? 'No matching items.' : 'No items yet.'}</p>
      ) : (
        <ul className="divide-y divide-slate-100 dark:divide-slate-800">
          {items.map((item, index) => (
            <ItemRow
              key={item.id}
              item={item}
              members={members}
              editable={editable}
              reorderable={reorderable}
              canMoveUp={!(isFirst && index === 0)}
              canMoveDown={!(isLast && index === items.length - 1)}
              selected={selectedIds.has(item.id)}
              presence={presenceByItem.get(item.id) ?? NOBODY}
              overdue={isOverdue(item, today)}
            />
          ))}
        </ul>
      )}
      <AddItemForm section={section} editable={editable} />
    </section>
  );
});

function AddItemForm({ section, editable }: { section: SectionView; editable: boolean }) {
  const actions = useActions();
  const [title, setTitle] = useState('');
  const { error, setError, errorId, invalidProps } = useFieldError();
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    // The doc model's check first, so the message ("An item needs a title") is under this field, not the page's.
    const check = titleSchema.safeParse(title);
    if (!check.success) return setError(problemMessage(check.error));
    if (actions.addItem(section.id, check.data, setError)) setTitle('');
  };
  return (
    <form onSubmit={onSubmit} noValidate className="flex flex-wrap gap-2 border-t border-slate-100 px-3 py-2 dark:border-slate-800">
      <input
        aria-label={`New item in ${section.title}`}
        placeholder="Add an item…"
        value={title}
        maxLength={TITLE_MAX_LENGTH}
        disabled={!editable}
        onChange={(event) => setTitle(event.target.value)}
        {...invalidProps}
        className={`${textControlClass} min-w-0 flex-1`}
      />
      <button type="submit" disabled={!editable} aria-label={`Add item to ${section.title}`} className={smallButtonClass}>
        Add
      </button>
      <FieldError id={errorId} error={error} />
    </form>
  );
}
