import { z } from 'zod';

export const loginSchema = z.object({
  email: z.string().trim().min(1, 'Enter your email address').pipe(z.email('Enter a valid email address')),
  password: z.string().min(1, 'Enter your password'),
  redirectTo: z.string().optional(),
});

export const DISPLAY_NAME_MAX = 80;
export const PASSWORD_MAX = 72;

export const signupSchema = z.object({
  displayName: z.string().trim().min(1, 'Enter your name').max(DISPLAY_NAME_MAX, `Use at most ${DISPLAY_NAME_MAX} characters`),
  email: z.string().trim().min(1, 'Enter your email address').pipe(z.email('Enter a valid email address')),
  password: z.string().min(8, 'Use at least 8 characters').max(PASSWORD_MAX, `Use at most ${PASSWORD_MAX} characters`),
  redirectTo: z.string().optional(),
});

export type FieldErrors<T> = Partial<Record<keyof T & string, string>>;

export type ParsedForm<T> = { ok: true; data: T } | { ok: false; fieldErrors: FieldErrors<T>; values: Record<string, string> };

/** Validates form fields; on failure returns the first message per field and the submitted text values (never passwords). */
export function parseForm<S extends z.ZodType<Record<string, unknown>>>(schema: S, formData: FormData): ParsedForm<z.output<S>> {
  const raw: Record<string, string> = {};
  for (const [key, value] of formData) if (typeof value === 'string') raw[key] = value;
  const result = schema.safeParse(raw);
  if (result.success) return { ok: true, data: result.data };
  const fieldErrors: Record<string, string> = {};
  for (const issue of result.error.issues) {
    const field = String(issue.path[0] ?? 'form');
    fieldErrors[field] ??= issue.message;
  }
  const values = Object.fromEntries(Object.entries(raw).filter(([key]) => !/password/i.test(key)));
  return { ok: false, fieldErrors: fieldErrors as FieldErrors<z.output<S>>, values };
}
