/**
 * The addresses webhook delivery refuses (src/modules/webhooks/webhooks.address.ts): every range
 * docs/webhooks.md "What the bank will not call" names, in the spellings DNS and URLs give them,
 * while public addresses pass; what does not parse is refused (fail closed).
 */
import { describe, expect, it } from 'vitest';
import { isBlockedAddress, isIpLiteral } from '../../../src/modules/webhooks/webhooks.address.js';

describe('isBlockedAddress', () => {
  it.each([
    '0.0.0.0',
    '10.1.2.3',
    '100.64.0.1',
    '100.127.255.254',
    '127.0.0.1',
    '127.9.9.9',
    '169.254.169.254',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '198.18.0.1',
    '224.0.0.1',
    '255.255.255.255',
    '::',
    '::1',
    '[::1]',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:10.0.0.1',
    '::ffff:a9fe:a9fe',
    '64:ff9b::192.168.0.1',
    '2002:c0a8:0101::1',
    'fc00::1',
    'fd12:3456:789a::1',
    'fe80::1',
    'fe80::1%eth0',
    'ff02::1',
  ])('refuses %s', (address) => {
    expect(isBlockedAddress(address)).toBe(true);
  });

  it.each([
    '1.1.1.1',
    '8.8.8.8',
    '93.184.215.14',
    '100.63.255.255',
    '100.128.0.1',
    '172.15.255.255',
    '172.32.0.1',
    '2001:4860:4860::8888',
    '2606:4700::1111',
    '::ffff:8.8.8.8',
    '64:ff9b::8.8.8.8',
  ])('allows %s', (address) => {
    expect(isBlockedAddress(address)).toBe(false);
  });

  it.each([
    '',
    'shop.example',
    '01.2.3.4',
    '256.1.1.1',
    '1::2::3',
    '::ffff:1.2.3',
    '1:2:3:4:5:6:7',
  ])('refuses %j, which is no address', (input) => {
    expect(isBlockedAddress(input)).toBe(true);
  });
});

describe('isIpLiteral', () => {
  it('tells addresses from names', () => {
    expect(isIpLiteral('10.0.0.1')).toBe(true);
    expect(isIpLiteral('[2001:db8::1]')).toBe(true);
    expect(isIpLiteral('shop.example')).toBe(false);
    expect(isIpLiteral('localhost')).toBe(false);
  });
});
