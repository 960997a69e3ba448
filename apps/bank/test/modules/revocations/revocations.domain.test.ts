/** Revocation's pure rules: what a close or a revocation does to a certificate's status. */
import { describe, expect, it } from 'vitest';
import {
  checkRevocationInput,
  statusAfter,
} from '../../../src/modules/revocations/revocations.domain.js';

describe('revocation', () => {
  it('never softens a revocation and lets fraud override a close', () => {
    expect(statusAfter('active', 'closed')).toBe('closed');
    expect(statusAfter('revoked', 'closed')).toBe('revoked');
    expect(statusAfter('closed', 'fraud')).toBe('revoked');
    expect(statusAfter('active', 'compromised')).toBe('revoked');
  });

  it('requires a fraud proof exactly for fraud', () => {
    expect(() => checkRevocationInput('fraud', 1n)).not.toThrow();
    expect(() => checkRevocationInput('closed')).not.toThrow();
    expect(() => checkRevocationInput('fraud')).toThrow(TypeError);
    expect(() => checkRevocationInput('closed', 1n)).toThrow(TypeError);
  });
});
