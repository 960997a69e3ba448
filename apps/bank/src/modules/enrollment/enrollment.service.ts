/**
 * Enrollment (DESIGN.md §3 "Enrollment", docs/protocol.md §4.3): a single-use challenge, the
 * device's proof of possession over it, then the certificate, issued in one transaction
 * (enrollment.issue.ts).
 */
import { randomBytes, toBase64Url } from '@offpay/crypto';
import {
  CHALLENGE_LENGTH,
  isAppError,
  verifyEnrollment,
  type EnrollmentRequest,
} from '@offpay/protocol';
import { isUniqueViolation } from '../../db/errors.js';
import type { Database } from '../../db/queryable.js';
import { bankFail } from '../../errors.js';
import { unixSeconds } from '../../time.js';
import type { ChallengeStore } from '../../kv/kv.js';
import {
  acceptChallenge,
  CHALLENGE_TTL_SECONDS,
  DEFAULT_ENROLL_SIGN_IN_MAX_AGE_SECONDS,
  encodeChallengeRecord,
  requireCompressedKey,
  requireRecentSignIn,
} from './enrollment.domain.js';
import {
  issuePayee,
  issuePayer,
  keyTaken,
  type IssueDeps,
  type IssuedCertificate,
  type PayeeEnrollment,
  type PayerEnrollment,
} from './enrollment.issue.js';

export type { IssuedCertificate, PayeeEnrollment, PayerEnrollment };

/** A fresh challenge for the device to sign. */
export interface IssuedChallenge {
  challengeId: string;
  challenge: Uint8Array;
  expiresAt: Date;
}

/** Who enrolls: the user, and when the sign-in behind their token happened (Unix seconds). */
export interface Enroller {
  id: string;
  signedInAt: number;
}

/** Enrollment of payer and payee devices. */
export interface EnrollmentService {
  /** A single-use enrollment challenge for `userId` (5 minutes). */
  createChallenge(userId: string): Promise<IssuedChallenge>;
  /**
   * Issues a payer certificate and reserves its limit in one transaction — only for a sign-in at
   * most `signInMaxAgeSeconds` old, checked before the challenge is taken or anything reserved.
   * @throws BANK_SIGN_IN_REQUIRED, BANK_CHALLENGE_INVALID, BANK_PUBLIC_KEY_INVALID,
   * BANK_ENROLLMENT_PROOF_INVALID, BANK_ACCOUNT_NOT_FOUND, BANK_INSUFFICIENT_FUNDS
   */
  enrollPayer(user: Enroller, req: PayerEnrollment): Promise<IssuedCertificate & { limit: bigint }>;
  /**
   * Issues a payee certificate (the verified merchant name) and opens its ledger head.
   * @throws BANK_CHALLENGE_INVALID, BANK_PUBLIC_KEY_INVALID, BANK_ENROLLMENT_PROOF_INVALID,
   * BANK_ACCOUNT_NOT_FOUND, BANK_MERCHANT_NOT_VERIFIED, BANK_DISPLAY_NAME_UNUSABLE,
   * BANK_KEY_ALREADY_ENROLLED
   */
  enrollPayee(
    userId: string,
    req: PayeeEnrollment,
  ): Promise<IssuedCertificate & { displayName: string }>;
}

/** Dependencies of {@link createEnrollmentService}. */
export interface EnrollmentDeps extends IssueDeps {
  db: Database;
  challenges: ChallengeStore;
  /** How old the sign-in behind a payer enrollment may be; absent → 300 s. */
  signInMaxAgeSeconds?: number;
}

/** Creates a challenge bound to `userId`, answerable once within 5 minutes. */
async function createChallenge(deps: EnrollmentDeps, userId: string): Promise<IssuedChallenge> {
  const challengeId = toBase64Url(randomBytes(16));
  const challenge = randomBytes(CHALLENGE_LENGTH);
  const expiresAt = new Date(deps.now().getTime() + CHALLENGE_TTL_SECONDS * 1000);
  const record = encodeChallengeRecord({ userId, challenge, expiresAtMs: expiresAt.getTime() });
  await deps.challenges.put(challengeId, record, CHALLENGE_TTL_SECONDS);
  return { challengeId, challenge, expiresAt };
}

/**
 * Takes the challenge (whatever happens next, it cannot be answered again) and checks the
 * device's proof of possession over it.
 * @throws BANK_CHALLENGE_INVALID, BANK_PUBLIC_KEY_INVALID, BANK_ENROLLMENT_PROOF_INVALID
 */
async function checkProof(
  deps: EnrollmentDeps,
  userId: string,
  req: { challengeId: string; signature: Uint8Array } & Omit<EnrollmentRequest, 'challenge'>,
): Promise<void> {
  const stored = await deps.challenges.take(req.challengeId);
  const challenge = acceptChallenge(stored, userId, deps.now().getTime());
  requireCompressedKey(req.signKey, 'signKey');
  if (req.kind === 'payee') requireCompressedKey(req.kemKey, 'kemKey');
  try {
    verifyEnrollment({ ...req, challenge }, req.signature);
  } catch (err) {
    if (!isAppError(err, 'PROTO_SIGNATURE_INVALID')) throw err;
    bankFail(
      'BANK_ENROLLMENT_PROOF_INVALID',
      'The enrollment signature does not verify under the signing key sent',
    );
  }
}

/** Builds the enrollment service. */
export function createEnrollmentService(deps: EnrollmentDeps): EnrollmentService {
  return {
    createChallenge: (userId) => createChallenge(deps, userId),
    async enrollPayer(user, req) {
      // A payer certificate reserves money from the balance: a recent sign-in, not just a live
      // session (a thief with the owner's open tab), asks for it. A payee's reserves nothing.
      const maxAge = deps.signInMaxAgeSeconds ?? DEFAULT_ENROLL_SIGN_IN_MAX_AGE_SECONDS;
      requireRecentSignIn(user.signedInAt, unixSeconds(deps.now()), maxAge);
      const userId = user.id;
      await checkProof(deps, userId, { ...req, kind: 'payer', kemKey: new Uint8Array(0) });
      return deps.db.transaction((tx) => issuePayer(deps, tx, userId, req));
    },
    async enrollPayee(userId, req) {
      await checkProof(deps, userId, { ...req, kind: 'payee' });
      try {
        return await deps.db.transaction((tx) => issuePayee(deps, tx, userId, req));
      } catch (err) {
        // Two enrollments of one key racing: the unique kid decides, the loser gets the clear code.
        if (isUniqueViolation(err, 'payee_certificates_kid_key')) keyTaken(req.signKey);
        throw err;
      }
    },
  };
}
