/**
 * Merchant display names (docs/operations.md "Merchants"): how a requested name is normalised,
 * and when it collides with a name the bank already verified — under case folding, or under the
 * Unicode confusable skeleton of UTS #39 §4 (https://www.unicode.org/reports/tr39/#Confusable_Detection).
 * Pure: no pg, no fastify.
 *
 * The confusable data is Unicode's confusables.txt as the `unhomoglyph` package ships it (MIT,
 * nodeca; its data is version 13.0.0 of confusables.txt — see docs/operations.md "Merchants").
 */
import { LIMITS, isDisplayText } from '@offpay/protocol';
import unhomoglyph from 'unhomoglyph';
import { restrictionLevel } from './merchants.scripts.js';

/** Runs of white space of any kind become one U+0020, and none at either end. */
function collapseSpaces(text: string): string {
  return text.replace(/\s+/gu, ' ').trim();
}

/**
 * The name as it is stored and certified: NFC, trimmed, inner white space collapsed to one
 * space — so two names that differ only there are one name.
 */
export function normalizeDisplayName(raw: string): string {
  return collapseSpaces(raw.normalize('NFC'));
}

/** True for a name the protocol can carry in a payee certificate (docs/protocol.md §3). */
export function isCertifiableName(name: string): boolean {
  return isDisplayText(name, LIMITS.displayNameBytes, 1);
}

/**
 * Case folding for "the same name": NFKC (fullwidth letters, ligatures), then upper- and
 * lower-casing, which folds ß to ss and final sigma like Unicode's full case folding does.
 */
export function foldName(name: string): string {
  return collapseSpaces(name.normalize('NFKC').toUpperCase().toLowerCase().normalize('NFKC'));
}

const IGNORABLE = /\p{Default_Ignorable_Code_Point}/gu;

/**
 * UTS #39 §4 skeleton: NFD, remove default-ignorable code points, map every character through
 * confusables.txt, NFD again. Not text to show anyone: only for comparing.
 */
export function skeleton(text: string): string {
  return unhomoglyph(text.normalize('NFD').replace(IGNORABLE, '')).normalize('NFD');
}

/**
 * What two names must not share: the skeleton of the case-folded skeleton. Skeleton first, so
 * "B0B'S" (0 ↦ O) meets "BOB'S" before folding; folding, so "BOB'S" meets "Bob's"; skeleton
 * again, so a look-alike lower-case letter meets its original.
 */
export function nameSkeleton(name: string): string {
  return collapseSpaces(skeleton(foldName(skeleton(name))));
}

/** A verified name as the registry keeps it. */
export interface ReservedName {
  displayName: string;
  fold: string;
  skeleton: string;
}

/** The keys of a (normalised) name. */
export function reservedName(displayName: string): ReservedName {
  return { displayName, fold: foldName(displayName), skeleton: nameSkeleton(displayName) };
}

/** Why a name cannot be had, or null when it can. */
export type NameRefusal =
  | { code: 'unusable' }
  | { code: 'taken'; displayName: string }
  | { code: 'confusable'; confusableWith: string }
  | { code: 'mixed-script'; scripts: string[] };

/**
 * Judges a normalised name against the verified names that share its fold or skeleton: unusable
 * (not display text), taken (equal under case folding), confusable (equal skeleton), mixed
 * script (not "Highly Restrictive", UTS #39 §5.2) — in that order — or null.
 */
export function judgeName(
  name: ReservedName,
  existing: readonly ReservedName[],
): NameRefusal | null {
  if (!isCertifiableName(name.displayName)) return { code: 'unusable' };
  const same = existing.find((e) => e.fold === name.fold);
  if (same) return { code: 'taken', displayName: same.displayName };
  const lookalike = existing.find((e) => e.skeleton === name.skeleton);
  if (lookalike) return { code: 'confusable', confusableWith: lookalike.displayName };
  const level = restrictionLevel(name.displayName);
  if (!level.highlyRestrictive) return { code: 'mixed-script', scripts: level.scripts };
  return null;
}
