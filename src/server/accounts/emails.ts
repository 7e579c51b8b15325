// How accounts name themselves: emails are compared trimmed and lower-cased.

/** Emails are compared trimmed and lower-cased. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase()
}
