/** The bank clock in the protocol's unit. */

/** Unix seconds of a bank-clock date: whole seconds, as certificates and results carry them. */
export function unixSeconds(at: Date): number {
  return Math.floor(at.getTime() / 1000);
}
