import { DUE_DATE_RANGE_MESSAGE } from '@tieout/doc-model';
import { describe, expect, it } from 'vitest';
import { parseCell, type CellContext } from '../app/components/checklist/grid-model.ts';
import { newChecklistSchema, newDealSchema, newWorkstreamSchema, saveTemplateSchema } from '../app/models/deal-forms.ts';
import { parseDueDate } from '../app/utils/import/mapping.ts';
import { parseForm } from '../app/utils/forms.ts';

/** zod's developer wording, which no form may show ("Too big: expected string to have <=500 characters"). */
const ZOD_WORDING = /Too (big|small):|expected (string|number|one of)|Invalid (input|UUID|URL|option|email|string)|received /;

const form = (fields: Record<string, string>) => {
  const data = new FormData();
  for (const [key, value] of Object.entries(fields)) data.set(key, value);
  return data;
};

const WORKSPACE = '2b4f0a7e-5c1d-4e2a-9f3b-8d6c1a0e7f21';
const WORKSTREAM = '7c9e6679-7425-40de-944b-e07fc1f90ae7';

describe('form errors say what to do, in words, next to their field', () => {
  it('the new deal form', () => {
    const result = parseForm(newDealSchema, form({ workspaceId: 'nope', name: 'x'.repeat(201), buyer: 'b'.repeat(201), value: '-5' }));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.fieldErrors).toEqual({
      workspaceId: 'Choose a workspace',
      name: 'Use at most 200 characters',
      buyer: 'Use at most 200 characters',
      value: 'Enter an amount in US dollars, like 9,000,000,000 or $9B',
    });
    expect(result.values.name).toHaveLength(201); // what was typed comes back for correction
  });

  it('the new checklist, workstream and template forms', () => {
    const checklist = parseForm(
      newChecklistSchema,
      form({ workstreamId: WORKSTREAM, title: 't'.repeat(201), source: 'empty', sectionTitle: 's'.repeat(201) }),
    );
    expect(!checklist.ok && checklist.fieldErrors).toEqual({ title: 'Use at most 200 characters', sectionTitle: 'Use at most 200 characters' });

    const workstream = parseForm(newWorkstreamSchema, form({ kind: 'custom', name: 'n'.repeat(201) }));
    expect(!workstream.ok && workstream.fieldErrors).toEqual({ name: 'Use at most 200 characters' });

    const template = parseForm(saveTemplateSchema, form({ name: '', description: 'd'.repeat(2001) }));
    expect(!template.ok && template.fieldErrors).toEqual({ name: 'Enter a name for the template', description: 'Use at most 2,000 characters' });
  });

  it('never shows zod’s own text, whatever is sent', () => {
    const attempts = [
      parseForm(newDealSchema, form({ workspaceId: WORKSPACE, name: '' })),
      parseForm(newDealSchema, form({})),
      parseForm(newChecklistSchema, form({ workstreamId: '', title: '', source: '' })),
      parseForm(newWorkstreamSchema, form({ kind: 'spreadsheet' })),
      parseForm(saveTemplateSchema, form({ name: 'n'.repeat(500) })),
    ];
    for (const attempt of attempts) {
      expect(attempt.ok).toBe(false);
      if (attempt.ok) continue;
      for (const message of Object.values(attempt.fieldErrors)) expect(message).not.toMatch(ZOD_WORDING);
    }
  });
});

describe('the grid and the import refuse what the doc model refuses, in its words', () => {
  const context: CellContext = { memberName: () => undefined, assignable: [], openComments: () => 0 };

  it('grid cells', () => {
    expect(parseCell('ref', 'r'.repeat(41), context)).toEqual({ ok: false, message: 'A reference can be at most 40 characters' });
    expect(parseCell('due', '1999-12-31', context)).toEqual({ ok: false, message: DUE_DATE_RANGE_MESSAGE });
    expect(parseCell('due', '2101-01-01', context)).toEqual({ ok: false, message: DUE_DATE_RANGE_MESSAGE });
    expect(parseCell('due', '2100-12-31', context)).toEqual({ ok: true, patch: { dueDate: '2100-12-31' } });
    expect(parseCell('title', ' ', context)).toEqual({ ok: false, message: 'An item needs a title' });
  });

  it('imported due dates', () => {
    expect(parseDueDate('1999-12-31')).toEqual({ error: 'Due date “1999-12-31” is not between the years 2000 and 2100' });
    expect(parseDueDate('12/31/2101', 'mdy')).toEqual({ error: 'Due date “12/31/2101” is not between the years 2000 and 2100' });
    expect(parseDueDate('2000-01-01')).toBe('2000-01-01');
  });
});
