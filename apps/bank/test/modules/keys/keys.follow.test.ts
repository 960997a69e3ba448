/** The rotation message on pub/sub (keys.follow.ts): what is published, and what is ignored. */
import { fromHex } from '@offpay/crypto';
import { describe, expect, it } from 'vitest';
import { parseRotationMessage, rotationMessage } from '../../../src/modules/keys/keys.follow.js';

describe('rotation messages', () => {
  it('round-trips the kind and kid of a rotation', () => {
    const kid = fromHex('0123456789abcdef');
    expect(parseRotationMessage(rotationMessage('kem', kid))).toEqual({ kind: 'kem', kid });
  });

  it('ignores anything else on the channel: other kinds, kids of another size, junk, huge', () => {
    for (const message of [
      '{"kind":"jwt","kid":"0123456789abcdef"}',
      '{"kind":"sign","kid":"0123"}',
      '{"kind":"sign","kid":"0123456789ABCDEF"}',
      '{"kind":"sign"}',
      'not json',
      'null',
      `{"kind":"sign","kid":"0123456789abcdef","pad":"${'x'.repeat(500)}"}`,
    ]) {
      expect(parseRotationMessage(message), message).toBeUndefined();
    }
  });
});
