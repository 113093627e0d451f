/**
 * The reference date fake users' timestamps are relative to when no clock is given, so that the
 * same seed always makes the same users (design.md, "Rules of fidelity").
 */
export const REFERENCE_DATE = new Date('2026-01-01T00:00:00.000Z')

/** A clock: returns the current time. @internal */
export type Clock = () => Date

/** Seconds since the epoch, as JWT claims use. @internal */
export function epochSeconds(clock: Clock): number {
  return Math.floor(clock().getTime() / 1000)
}
