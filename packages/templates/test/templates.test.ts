import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { applyTemplate, checklistTemplateSchema, readChecklist, rollupFigures } from '@tieout/doc-model';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { TemplateError, builtInTemplates, parseTemplate, templateByKey, templateForWorkstream } from '../src/index.ts';

const templatesDir = fileURLToPath(new URL('../templates/', import.meta.url));

describe('built-in templates', () => {
  it('ships every JSON file in templates/, each valid and named after its key', async () => {
    const files = (await readdir(templatesDir)).filter((name) => name.endsWith('.json')).sort();
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const data = JSON.parse(await readFile(`${templatesDir}${file}`, 'utf8')) as unknown;
      const parsed = checklistTemplateSchema.parse(data);
      expect(`${parsed.key}.json`).toBe(file);
      expect(templateByKey(parsed.key)).toBeDefined();
    }
    expect(builtInTemplates.map((t) => `${t.key}.json`).sort()).toEqual(files);
  });

  it('covers the three diligence workstreams', () => {
    expect(templateForWorkstream('site_retrofits')?.key).toBe('site-retrofits');
    expect(templateForWorkstream('energy_contracts')?.key).toBe('energy-contracts');
    expect(templateForWorkstream('lease_exposure')?.key).toBe('lease-exposure');
    expect(templateByKey('no-such-template')).toBeUndefined();
  });

  it('gives every item a risk level and an explanation, with unique titles per template', () => {
    for (const template of builtInTemplates) {
      const titles = template.sections.flatMap((section) => section.items.map((item) => item.title));
      expect(new Set(titles).size, template.key).toBe(titles.length);
      expect(titles.length, template.key).toBeGreaterThanOrEqual(12);
      for (const section of template.sections) {
        expect(section.items.length, section.title).toBeGreaterThan(0);
        for (const item of section.items) {
          expect(item.risk, item.title).toBeTruthy();
          expect(item.notes?.join(' ').length ?? 0, item.title).toBeGreaterThan(60);
        }
      }
    }
  });

  it('turns each template into a checklist document with the same sections, items and figures', () => {
    for (const template of builtInTemplates) {
      const doc = new Y.Doc();
      applyTemplate(doc, template);
      const view = readChecklist(doc);
      expect(view.title).toBe(template.name);
      expect(view.sections.map((s) => s.title)).toEqual(template.sections.map((s) => s.title));
      expect(view.sections.map((s) => s.items.map((i) => i.title))).toEqual(template.sections.map((s) => s.items.map((i) => i.title)));
      const figureCount = template.sections.flatMap((s) => s.items.flatMap((i) => i.figures ?? [])).length;
      expect(view.sections.flatMap((s) => s.items.flatMap((i) => i.figures))).toHaveLength(figureCount);
    }
  });

  it('carries figure slots (kind and label) but no values: a template is reused across deals', () => {
    for (const template of builtInTemplates) {
      const figures = template.sections.flatMap((s) => s.items.flatMap((i) => i.figures ?? []));
      expect(figures.length).toBeGreaterThan(0);
      for (const figure of figures) expect(figure).not.toHaveProperty('value');
    }
    // A new checklist from a built-in template rolls up nothing until someone enters a value; a second one neither.
    const doc = new Y.Doc();
    applyTemplate(doc, templateByKey('site-retrofits')!);
    applyTemplate(doc, templateByKey('site-retrofits')!);
    const items = readChecklist(doc).sections.flatMap((s) => s.items);
    expect(items.flatMap((i) => i.figures).length).toBeGreaterThan(0);
    expect(rollupFigures(items)).toEqual([]);
  });

  it('ignores a value left in older template data', () => {
    const old = structuredClone(builtInTemplates[0]!) as unknown as { sections: { items: { figures: { value?: number }[] }[] }[] };
    old.sections[0]!.items[0]!.figures[0]!.value = 1300;
    const doc = new Y.Doc();
    applyTemplate(doc, parseTemplate(old));
    expect(readChecklist(doc).sections[0]!.items[0]!.figures.every((f) => f.value === null)).toBe(true);
  });
});

describe('parseTemplate', () => {
  it('rejects bad template data with an error naming the source and the field', () => {
    const broken = structuredClone(builtInTemplates[0]!) as unknown as { sections: { items: { risk: string }[] }[] };
    broken.sections[0]!.items[0]!.risk = 'apocalyptic';
    expect(() => parseTemplate(broken, 'upload.json')).toThrow(TemplateError);
    expect(() => parseTemplate(broken, 'upload.json')).toThrow(/upload\.json.*sections\.0\.items\.0\.risk/);
    expect(() => parseTemplate({ key: 'x', name: 'X', workstream: 'custom', sections: [] })).toThrow(/sections/);
    expect(() => parseTemplate('not an object')).toThrow(TemplateError);
    const twice = structuredClone(builtInTemplates[0]!) as unknown as { sections: { items: { figures: { kind: string; label: string }[] }[] }[] };
    twice.sections[0]!.items[0]!.figures.push({ kind: 'mw', label: ' contracted mw ' });
    expect(() => parseTemplate(twice, 'upload.json')).toThrow(/already has a figure labelled “Contracted MW”/);
  });
});
