/** The script list covers every script the JavaScript engine knows (merchants.script-names.ts). */
import { describe, expect, it } from 'vitest';
import { SCRIPT_NAMES } from '../../../src/modules/merchants/merchants.script-names.js';
import { scriptsOfChar } from '../../../src/modules/merchants/merchants.scripts.js';

describe('script names', () => {
  it(`claim every code point the engine (Unicode ${process.versions.unicode}) puts in a script`, () => {
    const known = SCRIPT_NAMES.filter((n) => {
      try {
        new RegExp(`\\p{Script=${n}}`, 'u');
        return true;
      } catch {
        return false;
      }
    });
    const claimed = new RegExp(
      `[${known.map((n) => `\\p{Script=${n}}`).join('')}\\p{Script=Common}\\p{Script=Inherited}\\p{Script=Unknown}]`,
      'u',
    );
    const unclaimed: number[] = [];
    for (let cp = 0; cp <= 0x10ffff; cp++) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      if (!claimed.test(String.fromCodePoint(cp))) unclaimed.push(cp);
    }
    expect(unclaimed.map((cp) => cp.toString(16))).toEqual([]);
  });

  it("reads a character's Script_Extensions, and Common as any script", () => {
    expect(scriptsOfChar('a')).toEqual(['Latin']);
    expect(scriptsOfChar('\u0430')).toEqual(['Cyrillic']);
    expect(scriptsOfChar('7')).toBeNull();
    // U+30FC KATAKANA-HIRAGANA PROLONGED SOUND MARK belongs to both kana scripts.
    expect(scriptsOfChar('\u30FC')).toEqual(['Hiragana', 'Katakana']);
  });
});
