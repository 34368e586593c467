import { useId, useState } from 'react';

/** An inline field error: its state, the id that ties it to its inputs, and the attributes those inputs need. */
export function useFieldError() {
  const [error, setError] = useState<string | null>(null);
  const errorId = useId();
  const invalidProps = { 'aria-invalid': error ? true : undefined, 'aria-describedby': error ? errorId : undefined } as const;
  return { error, setError, errorId, invalidProps };
}

export function FieldError({ id, error }: { id: string; error: string | null }) {
  if (!error) return null;
  return (
    <p id={id} role="alert" className="w-full text-xs text-red-700 dark:text-red-400">
      {error}
    </p>
  );
}
