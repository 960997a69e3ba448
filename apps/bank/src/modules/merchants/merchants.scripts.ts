/**
 * Scripts of a display name and the UTS #39 §5.2 restriction level "Highly Restrictive"
 * (https://www.unicode.org/reports/tr39/#Restriction_Level_Detection): a name is accepted when it
 * is single-script — Common and Inherited characters (digits, punctuation, spaces, combining
 * marks) join any script — or covered by Latin + Han + Hiragana + Katakana, Latin + Han +
 * Bopomofo, or Latin + Han + Hangul. Everything else (Latin with Cyrillic, Greek with Latin, …)
 * is what look-alike names are made of, and is refused.
 *
 * Each character's scripts are its Script_Extensions property as the JavaScript engine knows it
 * (Node 20.19+: Unicode 15.1 or later; `process.versions.unicode`), read through `\p{scx=…}`.
 */
import { SCRIPT_NAMES } from './merchants.script-names.js';

/** A script the engine does not know has no characters in it yet (they read as Unknown). */
function known(name: string): RegExp | null {
  try {
    return new RegExp(`^\\p{Script_Extensions=${name}}$`, 'u');
  } catch {
    return null;
  }
}

const SCRIPTS: readonly [string, RegExp][] = SCRIPT_NAMES.flatMap((n: string) => {
  const re = known(n);
  return re ? [[n, re] as [string, RegExp]] : [];
});

/** Common and Inherited characters belong with every script (UTS #39 §5.1). */
// By Script_Extensions: U+30FC (Script=Common) extends to Hiragana and Katakana only.
const ANY_SCRIPT = /^[\p{Script_Extensions=Common}\p{Script_Extensions=Inherited}]$/u;

/** The pseudo-script of characters no listed script claims (unassigned, or a script too new). */
const UNKNOWN = 'Unknown';

/** The scripts of one character; null for Common/Inherited (any script). */
export function scriptsOfChar(ch: string): string[] | null {
  if (ANY_SCRIPT.test(ch)) return null;
  const found = SCRIPTS.filter(([, re]) => re.test(ch)).map(([n]) => n);
  return found.length > 0 ? found : [UNKNOWN];
}

// UTS #39 §5.1 "augmented script set": Han, Hiragana, Katakana, Hangul and Bopomofo also count as
// the writing systems they are part of (Japanese, Korean, Han with Bopomofo).
const AUGMENT: Readonly<Record<string, readonly string[]>> = {
  Han: ['Han_with_Bopomofo', 'Japanese', 'Korean'],
  Hiragana: ['Japanese'],
  Katakana: ['Japanese'],
  Hangul: ['Korean'],
  Bopomofo: ['Han_with_Bopomofo'],
};

function augmented(scripts: readonly string[]): Set<string> {
  return new Set(scripts.flatMap((s) => [s, ...(AUGMENT[s] ?? [])]));
}

/** The combinations UTS #39 §5.2 allows besides a single script ("Highly Restrictive"). */
const HIGHLY_RESTRICTIVE_SETS: readonly ReadonlySet<string>[] = [
  new Set(['Latin', 'Han', 'Hiragana', 'Katakana']),
  new Set(['Latin', 'Han', 'Bopomofo']),
  new Set(['Latin', 'Han', 'Hangul']),
];

/** Whether a name passes the restriction level, and the scripts it uses (sorted). */
export interface ScriptCheck {
  highlyRestrictive: boolean;
  scripts: string[];
}

/** UTS #39 §5.2 "Highly Restrictive" for `text`. */
export function restrictionLevel(text: string): ScriptCheck {
  const perChar = [...text].map(scriptsOfChar).filter((s): s is string[] => s !== null);
  const scripts = [...new Set(perChar.flat())].sort();
  // The resolved script set (§5.1): the intersection of every character's augmented set.
  const resolved = perChar.reduce<Set<string> | null>((acc, s) => {
    const a = augmented(s);
    return acc === null ? a : new Set([...acc].filter((x) => a.has(x)));
  }, null);
  const single = resolved === null || resolved.size > 0;
  const covered = HIGHLY_RESTRICTIVE_SETS.some((set) =>
    perChar.every((s) => s.some((x) => set.has(x))),
  );
  return { highlyRestrictive: single || covered, scripts };
}
