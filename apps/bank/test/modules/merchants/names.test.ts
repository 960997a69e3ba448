/**
 * Display names under case folding, UTS #39 confusable skeletons (confusables.txt, through
 * unhomoglyph) and the "Highly Restrictive" restriction level — with real look-alikes.
 */
import { describe, expect, it } from 'vitest';
import {
  foldName,
  judgeName,
  nameSkeleton,
  normalizeDisplayName,
  reservedName,
  skeleton,
} from '../../../src/modules/merchants/merchants.names.js';
import { restrictionLevel } from '../../../src/modules/merchants/merchants.scripts.js';

const BOB = reservedName("Bob's Market");
const judge = (name: string) => judgeName(reservedName(normalizeDisplayName(name)), [BOB]);

describe('the UTS #39 skeleton (confusables.txt)', () => {
  it('maps Cyrillic а, е, о, М and Greek Β onto the Latin letters they imitate', () => {
    expect(skeleton('\u0430\u0435\u043E')).toBe(skeleton('aeo'));
    expect(skeleton("Bob's \u041Carket")).toBe(skeleton("Bob's Market"));
    expect(skeleton('\u0392ob')).toBe(skeleton('Bob'));
  });

  it("maps digit zero to capital O (so B0B'S meets BOB'S) and m to r n", () => {
    expect(skeleton('0')).toBe('O');
    expect(skeleton("B0B'S")).toBe(skeleton("BOB'S"));
    expect(skeleton('m')).toBe(skeleton('rn'));
  });

  it('maps the typographic apostrophe, fullwidth letters (with NFKC) and drops default-ignorables', () => {
    expect(skeleton('Bob\u2019s')).toBe(skeleton("Bob's"));
    // confusables.txt leaves most fullwidth letters to NFKC, which the name key applies.
    expect(nameSkeleton('\uFF22\uFF4F\uFF42')).toBe(nameSkeleton('Bob'));
    expect(skeleton('Bo\u034Fb')).toBe(skeleton('Bob')); // combining grapheme joiner
  });

  it('leaves different names different', () => {
    expect(nameSkeleton("Rob's Market")).not.toBe(nameSkeleton("Bob's Market"));
    expect(nameSkeleton("Bob's Marker")).not.toBe(nameSkeleton("Bob's Market"));
  });
});

describe('judging a name against the verified ones', () => {
  it('refuses the same name under case folding as taken, naming it', () => {
    for (const name of ["bob's market", "BOB'S MARKET", "Bob's   Market", '\uFF22ob\u2019s Market'])
      expect(judge(name), name).toMatchObject({ code: expect.stringMatching(/taken|confusable/) });
    expect(judge("BOB'S MARKET")).toEqual({ code: 'taken', displayName: "Bob's Market" });
    expect(foldName('STRASSE')).toBe(foldName('Straße'));
  });

  it('refuses look-alikes as confusable with the name they imitate', () => {
    for (const name of [
      "Bob's \u041Carket", // Cyrillic М
      "B\u043Eb's Market", // Cyrillic о
      "Bob's M\u0430rk\u0435t", // Cyrillic а and е
      "B0b's Market", // digit zero
      "B0B'S MARKET",
      'Bob\u2019s Market', // typographic apostrophe
      "Bob's Rnarket", // r n for m
    ]) {
      expect(judge(name), name).toEqual({ code: 'confusable', confusableWith: "Bob's Market" });
    }
  });

  it('refuses mixed scripts even when no verified name is imitated', () => {
    expect(judgeName(reservedName('P\u0430yPal'), [])).toEqual({
      code: 'mixed-script',
      scripts: ['Cyrillic', 'Latin'],
    });
    expect(judgeName(reservedName('\u0392ob the Builder'), [])).toMatchObject({
      code: 'mixed-script',
    });
  });

  it('refuses what the protocol cannot carry: over 64 bytes, or a bidi override', () => {
    expect(judgeName(reservedName('\u00E9'.repeat(40)), [])).toEqual({ code: 'unusable' });
    expect(judgeName(reservedName('Shop\u202Eevil'), [])).toEqual({ code: 'unusable' });
  });

  it('accepts distinct names in one script, and the Highly Restrictive combinations', () => {
    for (const name of [
      "Rob's Market",
      'Caf\u00E9 Ren\u00E9e',
      '\u041C\u043E\u0441\u043A\u0432\u0430',
      '東京 Tokyo ラーメン',
      '서울 Seoul 식당',
      "Alice & Bob's 24/7",
    ])
      expect(judge(name), name).toBeNull();
  });
});

describe('restriction level (UTS #39 §5.2)', () => {
  it('treats digits, punctuation and combining marks as joining any script', () => {
    expect(restrictionLevel("Bob's 24/7 Market").highlyRestrictive).toBe(true);
    expect(restrictionLevel('Cafe\u0301').highlyRestrictive).toBe(true);
  });

  it('allows Latin with Han and kana, with Han and Bopomofo, with Han and Hangul', () => {
    expect(restrictionLevel('寿司 Sushi すし スシ').highlyRestrictive).toBe(true);
    expect(restrictionLevel('茶 Tea ㄔㄚ').highlyRestrictive).toBe(true);
    expect(restrictionLevel('김치 Kimchi 泡菜').highlyRestrictive).toBe(true);
  });

  it('refuses Latin with Cyrillic, Greek or Armenian, and Hangul with kana', () => {
    expect(restrictionLevel('Shop \u0428').scripts).toEqual(['Cyrillic', 'Latin']);
    for (const name of ['Shop \u0428', 'Shop \u03A3', 'Shop \u0555', '김치 すし'])
      expect(restrictionLevel(name).highlyRestrictive, name).toBe(false);
  });
});
