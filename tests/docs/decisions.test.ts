import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const dir = fileURLToPath(new URL('../../docs/decisions/', import.meta.url));
const records = readdirSync(dir).filter((name) => /^\d{3}-.+\.md$/.test(name) && !name.startsWith('000-'));

describe('decision records', () => {
  it('are all listed in the index, and the index links nothing that is gone', () => {
    const index = readFileSync(`${dir}README.md`, 'utf8');
    const linked = [...index.matchAll(/\]\((\d{3}-[^)]+\.md)\)/g)].map((match) => match[1]).filter((name) => !name!.startsWith('000-'));
    expect(linked.sort()).toEqual([...records].sort());
  });

  it('have one number each', () => {
    const numbers = records.map((name) => name.slice(0, 3));
    expect(numbers.filter((number, index) => numbers.indexOf(number) !== index)).toEqual([]);
  });

  it('are referred to by files that exist', () => {
    for (const name of records) {
      const text = readFileSync(`${dir}${name}`, 'utf8');
      for (const [, other] of text.matchAll(/\]\((\d{3}-[^)#]+\.md)[^)]*\)/g))
        expect(records.concat('000-template.md'), `${name} links ${other}`).toContain(other);
    }
  });
});
