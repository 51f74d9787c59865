/**
 * The shape every announced text takes: one tidy sentence, and never longer than its
 * field allows. Language-neutral, so the message catalogs and the translator share it.
 */

const MULTI_SPACE = /\s\s|[\t\n\r\f\v]/;

/** Shortens to at most `max` characters, at a word boundary when one is near. */
export function truncate(text: string, max: number): string {
  const trimmed = MULTI_SPACE.test(text) ? text.trim().replace(/\s+/g, ' ') : text.trim();
  if (trimmed.length <= max) return trimmed;
  const cut = trimmed.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${space > max / 2 ? cut.slice(0, space) : cut}…`;
}

/** Ends a phrase with a full stop unless it already ends with punctuation. */
export function sentence(text: string): string {
  const trimmed = text.trim();
  if (trimmed === '') return trimmed;
  const capitalised = trimmed[0]!.toUpperCase() + trimmed.slice(1);
  return /[.!?…]$/.test(capitalised) ? capitalised : `${capitalised}.`;
}
