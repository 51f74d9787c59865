/** A key's words: camelCase, acronyms and any separator split, lower-cased. */
const CAMEL_RE = /([a-z0-9])([A-Z])/g;
const ACRONYM_RE = /([A-Z]+)([A-Z][a-z])/g;
const NON_WORD_RE = /[^a-z0-9]+/;

export function splitWords(key: string): string[] {
  return key
    .replace(CAMEL_RE, '$1 $2')
    .replace(ACRONYM_RE, '$1 $2')
    .toLowerCase()
    .split(NON_WORD_RE)
    .filter((w) => w.length > 0);
}
