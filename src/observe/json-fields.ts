/** Guards the API parsers share: an answer is untrusted JSON, so every field is looked at before use. */

/** A JSON object (not an array, not null). */
export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** What a parser gives: the value, or why the answer is not one (an error of that source). */
export type Parsed<T> = T | { error: string };
