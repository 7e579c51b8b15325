import { formatTime } from '../format'

/** An ISO 8601 time (as sync reports them) the way the devtools show times, or a dash. */
export const timeOf = (iso: string | null | undefined): string => (iso ? formatTime(new Date(iso)) : '—')
