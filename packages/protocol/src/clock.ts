/** Device clocks (DESIGN.md §3 "Clocks"): only the bank's clock decides; apps refuse to go back. */
import { fail } from './errors.js';

/**
 * The device time to use, refusing a device clock earlier than the latest bank time seen (which
 * would let an expired certificate look valid).
 * @throws PROTO_CLOCK_BEHIND
 */
export function checkedDeviceTime(deviceNow: number, lastBankTime: number | undefined): number {
  if (lastBankTime !== undefined && deviceNow < lastBankTime) {
    fail(
      'PROTO_CLOCK_BEHIND',
      'this device clock is behind the bank time already seen; set the clock',
      {
        deviceNow,
        lastBankTime,
      },
    );
  }
  return deviceNow;
}
