/*
 * A comment box with @mention autocomplete (WAI-ARIA combobox with a listbox popup): typing "@" and some
 * letters lists matching workspace members; ArrowDown/ArrowUp move, Enter or Tab picks, Escape closes.
 * Picking writes "@Name " into the text and remembers the member; a mention counts while its "@Name" is
 * still in the text.
 */
import { useId, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import type { ReviewMember } from './review-context.tsx';

export interface MentionValue {
  body: string;
  /** Members picked from the list whose "@Name" is still in the body. */
  mentions: string[];
}

export function mentionsIn(body: string, picked: ReadonlyMap<string, string>): string[] {
  return [...picked].filter(([, name]) => body.includes(`@${name}`)).map(([id]) => id);
}

/** The "@query" just before the caret, if any. */
function queryAt(text: string, caret: number): { start: number; query: string } | null {
  const before = text.slice(0, caret);
  const match = /(^|\s)@([\p{L}\p{N}.'-]{0,30})$/u.exec(before);
  if (!match) return null;
  return { start: caret - match[2]!.length - 1, query: match[2]! };
}

export function MentionInput({
  label,
  value,
  onChange,
  members,
  placeholder,
  onSubmit,
  autoFocus,
  invalid,
  describedBy,
}: {
  label: string;
  value: string;
  onChange: (body: string, picked: ReadonlyMap<string, string>) => void;
  members: readonly ReviewMember[];
  placeholder?: string;
  /** Ctrl/Cmd+Enter. */
  onSubmit?: () => void;
  autoFocus?: boolean;
  invalid?: boolean;
  describedBy?: string;
}) {
  const listId = useId();
  const ref = useRef<HTMLTextAreaElement>(null);
  const picked = useRef(new Map<string, string>());
  const [query, setQuery] = useState<{ start: number; query: string } | null>(null);
  const [active, setActive] = useState(0);

  const matches = useMemo(() => {
    if (!query) return [];
    const needle = query.query.toLowerCase();
    return members
      .filter(
        (member) =>
          member.name
            .toLowerCase()
            .split(/\s+/)
            .some((part) => part.startsWith(needle)) || member.name.toLowerCase().startsWith(needle),
      )
      .slice(0, 8);
  }, [query, members]);
  const open = query !== null && matches.length > 0;

  const refresh = (text: string, caret: number) => {
    const next = queryAt(text, caret);
    setQuery(next);
    setActive(0);
  };

  const pick = (member: ReviewMember) => {
    const element = ref.current;
    if (!element || !query) return;
    const caret = element.selectionStart;
    const text = `${value.slice(0, query.start)}@${member.name} ${value.slice(caret)}`;
    picked.current.set(member.id, member.name);
    onChange(text, picked.current);
    setQuery(null);
    const position = query.start + member.name.length + 2;
    requestAnimationFrame(() => {
      element.focus();
      element.setSelectionRange(position, position);
    });
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (open) {
      if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        event.preventDefault();
        setActive((index) => (index + (event.key === 'ArrowDown' ? 1 : -1) + matches.length) % matches.length);
        return;
      }
      if (event.key === 'Enter' || event.key === 'Tab') {
        event.preventDefault();
        pick(matches[active]!);
        return;
      }
      if (event.key === 'Escape') {
        event.preventDefault();
        event.stopPropagation();
        setQuery(null);
        return;
      }
    }
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey) && onSubmit) {
      event.preventDefault();
      onSubmit();
    }
  };

  return (
    <div className="relative">
      <textarea
        ref={ref}
        role="combobox"
        aria-label={label}
        aria-autocomplete="list"
        aria-expanded={open}
        aria-controls={listId}
        aria-activedescendant={open ? `${listId}-${active}` : undefined}
        aria-invalid={invalid || undefined}
        aria-describedby={describedBy}
        autoFocus={autoFocus}
        rows={3}
        value={value}
        placeholder={placeholder}
        onChange={(event) => {
          onChange(event.target.value, picked.current);
          refresh(event.target.value, event.target.selectionStart);
        }}
        onKeyDown={onKeyDown}
        onClick={(event) => refresh(event.currentTarget.value, event.currentTarget.selectionStart)}
        onBlur={() => setQuery(null)}
        className="block w-full resize-y rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm focus:border-sky-500 focus:outline-none focus:ring-2 focus:ring-sky-500/30 aria-invalid:border-red-500 dark:border-slate-700 dark:bg-slate-900"
      />
      <ul
        id={listId}
        role="listbox"
        aria-label="People to mention"
        hidden={!open}
        className="absolute left-0 right-0 top-full z-30 mt-1 max-h-56 overflow-auto rounded-md border border-slate-200 bg-white py-1 text-sm shadow-lg dark:border-slate-700 dark:bg-slate-900"
      >
        {matches.map((member, index) => (
          <li
            key={member.id}
            id={`${listId}-${index}`}
            role="option"
            aria-selected={index === active}
            onMouseDown={(event) => {
              event.preventDefault();
              pick(member);
            }}
            className="flex cursor-pointer items-center justify-between px-2 py-1 aria-selected:bg-sky-100 aria-selected:text-sky-900 dark:aria-selected:bg-sky-900 dark:aria-selected:text-sky-50"
          >
            <span>{member.name}</span>
            <span className="text-xs text-slate-500 dark:text-slate-400">{member.role}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}
