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
      expect(view.sections.map((s) => s.items.map((i) => i.title))).toEqual(
        template.sections.map((s) => s.items.map((i) => i.title)),
      );
      const figureCount = template.sections.flatMap((s) => s.items.flatMap((i) => i.figures ?? [])).length;
      expect(view.sections.flatMap((s) => s.items.flatMap((i) => i.figures))).toHaveLength(figureCount);
    }
  });

  it('carries the figures the public coverage gives, typed by kind', () => {
    const figures = (key: string) =>
      templateByKey(key)!.sections.flatMap((s) => s.items.flatMap((i) => i.figures ?? []));
    const known = (key: string, kind: string) =>
      figures(key).filter((f) => f.kind === kind && f.value !== null && f.value !== undefined).map((f) => f.value);
    expect(known('site-retrofits', 'mw')).toContain(1300);
    expect(known('site-retrofits', 'kw_per_rack')).toContain(120);
    expect(known('site-retrofits', 'sqft')).toEqual(expect.arrayContaining([1000, 5000]));
    expect(known('energy-contracts', 'percent')).toEqual(expect.arrayContaining([89, 10.1]));
    expect(known('lease-exposure', 'usd')).toContain(10_000_000_000);
    expect(known('lease-exposure', 'years')).toContain(12);
    // Figures left for diligence to find stay empty and do not distort roll-ups.
    const doc = new Y.Doc();
    applyTemplate(doc, templateByKey('site-retrofits')!);
    const items = readChecklist(doc).sections.flatMap((s) => s.items);
    const mw = rollupFigures(items).find((r) => r.kind === 'mw');
    expect(mw).toMatchObject({ total: 1300, count: 1 });
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
  });
});
