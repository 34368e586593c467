import { DUE_DATE_MAX, DUE_DATE_MIN, dueDateSchema, problemMessage } from '@tieout/doc-model';
import { useState, type ChangeEvent } from 'react';
import { FieldError, useFieldError } from './field-error.tsx';

/**
 * A due-date input bound to a saved date. A plausible date (the doc model's `dueDateSchema`: a real day from 2000 to
 * 2100) is saved as soon as it is complete; anything else stays in the field while the person types (a year is
 * typed one digit at a time, through 0002 and 0202) and, if still implausible when they leave, the saved date
 * comes back with the doc model's message next to the field. Clearing the field clears the date.
 *
 * Returns the input's props (spread onto an `<input type="date">`) and the message element, which the caller
 * places where it fits its layout.
 */
export function useDueDateField(saved: string | null, save: (next: string | null, report: (problem: string | null) => void) => void) {
  const [draft, setDraft] = useState<string | null>(null);
  const { error, setError, errorId, invalidProps } = useFieldError();
  const onChange = (event: ChangeEvent<HTMLInputElement>) => {
    const next = event.target.value;
    if (next !== '' && !dueDateSchema.safeParse(next).success) return setDraft(next);
    setDraft(null);
    save(next === '' ? null : next, setError);
  };
  const onBlur = () => {
    if (draft === null) return;
    const check = dueDateSchema.safeParse(draft);
    setDraft(null);
    if (!check.success) setError(problemMessage(check.error));
  };
  return {
    inputProps: { type: 'date', min: DUE_DATE_MIN, max: DUE_DATE_MAX, value: draft ?? saved ?? '', onChange, onBlur, ...invalidProps } as const,
    message: <FieldError id={errorId} error={error} />,
  };
}
