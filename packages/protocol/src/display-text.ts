/**
 * Text shown to people: a payee's bank-verified display name and a request's memo
 * (docs/protocol.md §3 "Display text"). Both refuse every code point that can change how the text
 * around it reads without being seen: controls, format characters (bidirectional overrides such
 * as U+202E, zero-width characters such as U+200B, U+FEFF), surrogates, private-use characters
 * and the line and paragraph separators.
 *
 * The set is a fixed list, not `\p{Cf}`: a regular expression's Unicode properties follow the
 * engine's Unicode version, and two conforming parties must never disagree on which bytes are a
 * valid message. Unassigned code points (Cn) are allowed for the same reason.
 */

// General categories Cc, Cf (as of Unicode 17.0), Cs, Co, Zl and Zp, as code point ranges.
const FORBIDDEN = new RegExp(
  '[' +
    '\\u{0000}-\\u{001F}\\u{007F}-\\u{009F}' + // Cc: C0, DEL and C1 controls (U+0085 NEL included)
    '\\u{00AD}\\u{0600}-\\u{0605}\\u{061C}\\u{06DD}\\u{070F}\\u{0890}-\\u{0891}\\u{08E2}' + // Cf
    '\\u{180E}\\u{200B}-\\u{200F}\\u{202A}-\\u{202E}\\u{2060}-\\u{2064}\\u{2066}-\\u{206F}' + // Cf
    '\\u{FEFF}\\u{FFF9}-\\u{FFFB}\\u{110BD}\\u{110CD}\\u{13430}-\\u{1343F}\\u{1BCA0}-\\u{1BCA3}' + // Cf
    '\\u{1D173}-\\u{1D17A}\\u{E0001}\\u{E0020}-\\u{E007F}' + // Cf
    '\\u{D800}-\\u{DFFF}' + // Cs: a lone surrogate in a JS string is not text
    '\\u{E000}-\\u{F8FF}\\u{F0000}-\\u{FFFFD}\\u{100000}-\\u{10FFFD}' + // Co: private use
    '\\u{2028}\\u{2029}' + // Zl, Zp
    ']',
  'u',
);

const utf8 = new TextEncoder();

/**
 * True when `s` may be shown as a display name or memo: at most `maxBytes` UTF-8 bytes, at least
 * `minBytes`, and no code point of the forbidden set. The bank checks an account's name with it
 * before certifying it; apps check what a merchant types.
 *
 * @example
 * isDisplayText("Bob's Market", 64, 1); // true
 * isDisplayText('\u202Eevil', 64, 1);   // false: a right-to-left override
 */
export function isDisplayText(s: string, maxBytes: number, minBytes = 0): boolean {
  if (typeof s !== 'string' || FORBIDDEN.test(s)) return false;
  const length = utf8.encode(s).length;
  return length >= minBytes && length <= maxBytes;
}
