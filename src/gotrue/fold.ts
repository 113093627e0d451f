/**
 * Folds text as GoTrue's MySQL collations compare it (`utf8_general_ci` for `email`,
 * `utf8mb4_unicode_ci` for the `full_name` search; gotrue:migrations, gotrue:models/user.go
 * `FindUsersInAudience`): case-insensitive and accent-insensitive. Approximated by lower-casing
 * and dropping combining marks after canonical decomposition.
 * @internal
 */
export function foldText(text: string): string {
  // The common case (ASCII) needs no decomposition. A loop, not a regular expression: this runs
  // twice for every stored user, and the loop costs a fraction of a RegExp call.
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) > 0x7f) return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase()
  }
  return text.toLowerCase()
}
