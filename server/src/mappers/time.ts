/** Every time in the API is an ISO-8601 UTC string. */
export const isoOrNull = (d: Date | null | undefined): string | null => d?.toISOString() ?? null;
