/**
 * Folds text as GoTrue's MySQL collations compare it (`utf8_general_ci` for `email`,
 * `utf8mb4_unicode_ci` for the `full_name` search; gotrue:migrations, gotrue:models/user.go
 * `FindUsersInAudience`): case-insensitive and accent-insensitive. Approximated by lower-casing
 * and dropping combining marks after canonical decomposition.
 * @internal
 */
export function foldText(text: string): string {
  // The common case (ASCII) needs no decomposition.
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\x7f]*$/.test(text)) return text.toLowerCase()
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase()
}
