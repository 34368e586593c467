import { describe, expect, it } from 'vitest';
import { loginSchema, parseForm, signupSchema } from '../app/utils/forms.ts';
import { safeRedirectPath } from '../app/utils/redirect.ts';

const form = (fields: Record<string, string>) => {
  const data = new FormData();
  for (const [key, value] of Object.entries(fields)) data.set(key, value);
  return data;
};

describe('parseForm', () => {
  it('returns trimmed data when valid', () => {
    const result = parseForm(loginSchema, form({ email: '  eddie.editor@tieout.dev ', password: 'x' }));
    expect(result).toEqual({ ok: true, data: { email: 'eddie.editor@tieout.dev', password: 'x' } });
  });
  it('reports one message per field and never echoes passwords', () => {
    const result = parseForm(loginSchema, form({ email: 'not-an-email', password: '' }));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.fieldErrors).toEqual({ email: 'Enter a valid email address', password: 'Enter your password' });
    expect(result.values).toEqual({ email: 'not-an-email' });
  });
  it('asks for a missing email rather than calling it invalid', () => {
    const result = parseForm(loginSchema, form({ email: ' ', password: 'x' }));
    expect(!result.ok && result.fieldErrors.email).toBe('Enter your email address');
  });
  it('checks sign-up passwords and names', () => {
    const result = parseForm(signupSchema, form({ displayName: '', email: 'a@b.co', password: 'short' }));
    expect(!result.ok && result.fieldErrors).toEqual({ displayName: 'Enter your name', password: 'Use at least 8 characters' });
  });
});

describe('safeRedirectPath', () => {
  it('keeps same-site paths', () => {
    expect(safeRedirectPath('/checklists/abc?x=1')).toBe('/checklists/abc?x=1');
  });
  it('refuses other hosts and odd input', () => {
    for (const value of ['https://evil.example', '//evil.example', '/\\evil.example', 'checklists', '', null, 42, '/a\nb']) {
      expect(safeRedirectPath(value)).toBe('/');
    }
  });
});
