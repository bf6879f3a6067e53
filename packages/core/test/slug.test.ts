import { describe, expect, it } from 'vitest';
import { nextFreeSlug, slugify } from '../src/services/slug.ts';

describe('slugify', () => {
  it('lowercases, hyphenates and folds unicode to ASCII', () => {
    expect(slugify('Odoo ERP Customizations')).toBe('odoo-erp-customizations');
    expect(slugify('Ünïcödé Straße — Œuvre')).toBe('unicode-strasse-oeuvre');
    expect(slugify('  --Hello__World!!  ')).toBe('hello-world');
    expect(slugify('Łódź Kraków')).toBe('lodz-krakow');
  });
  it('never returns an empty slug and stays within 100 characters', () => {
    expect(slugify('日本語')).toBe('project');
    expect(slugify('a'.repeat(300))).toHaveLength(100);
    expect(slugify(`${'a'.repeat(99)} b`)).toBe('a'.repeat(99));
  });
  it('adds the next free numeric suffix', () => {
    expect(nextFreeSlug('erp', new Set())).toBe('erp');
    expect(nextFreeSlug('erp', new Set(['erp', 'erp-2']))).toBe('erp-3');
    const long = 'x'.repeat(100);
    expect(nextFreeSlug(long, new Set([long]))).toBe(`${'x'.repeat(98)}-2`);
  });
});
