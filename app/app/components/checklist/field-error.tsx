import { useId, useState } from 'react';

/** An inline field error: its state, the id that ties it to its inputs, and the attributes those inputs need. */
export function useFieldError() {
  const [error, setError] = useState<string | null>(null);
  const errorId = useId();
  const invalidProps = { 'aria-invalid': error ? true : undefined, 'aria-describedby': error ? errorId : undefined } as const;
  return { error, setError, errorId, invalidProps };
}

/** The message under its field; `inline` renders a block-level span, for fields inside phrasing content. */
export function FieldError({ id, error, inline }: { id: string; error: string | null; inline?: boolean }) {
  if (!error) return null;
  const Tag = inline ? 'span' : 'p';
  return (
    <Tag id={id} role="alert" className="block w-full text-xs text-red-700 dark:text-red-400">
      {error}
    </Tag>
  );
}
