/**
 * The CLDR-driven pieces every language's phrases share (through `Intl`): plural
 * categories, lists, numbers and durations. Formatters are built once per language.
 */

type PluralForms = Partial<Record<Intl.LDMLPluralRule, string>> & { readonly other: string };

const cache = new Map<string, unknown>();

function once<T>(key: string, make: () => T): T {
  let value = cache.get(key) as T | undefined;
  if (value === undefined) {
    value = make();
    cache.set(key, value);
  }
  return value;
}

/** The form of a counted word for `count` in `language` (CLDR plural rules), `#` replaced by the number. */
export function plural(language: string, count: number, forms: PluralForms): string {
  const rules = once(`plural:${language}`, () => new Intl.PluralRules(language));
  const form = forms[rules.select(count)] ?? forms.other;
  return form.replace('#', formatNumber(language, count));
}

export function formatNumber(language: string, value: number): string {
  return once(`number:${language}`, () => new Intl.NumberFormat(language, { maximumFractionDigits: 1 })).format(value);
}

/** "a, b and c" as the language lists things; `or` for alternatives. */
export function list(language: string, items: readonly string[], kind: 'and' | 'or' = 'and'): string {
  const type = kind === 'and' ? 'conjunction' : 'disjunction';
  return once(`list:${language}:${type}`, () => new Intl.ListFormat(language, { type, style: 'long' })).format(items);
}

function unit(language: string, name: 'second' | 'minute', value: number): string {
  return once(
    `unit:${language}:${name}`,
    () => new Intl.NumberFormat(language, { style: 'unit', unit: name, unitDisplay: 'long', maximumFractionDigits: 1 }),
  ).format(value);
}

/** A duration in words: tenths of a second under a minute, then minutes and whole seconds. */
export function duration(language: string, ms: number, underASecond: string): string {
  if (ms < 1000) return underASecond;
  const seconds = Math.round(ms / 100) / 10;
  if (seconds < 60) return unit(language, 'second', seconds);
  const minutes = Math.floor(seconds / 60);
  const rest = Math.round(seconds % 60);
  if (rest === 0) return unit(language, 'minute', minutes);
  // "3 minutes and 20 seconds": CLDR's unit lists use a bare comma in English and German, which a comma after it makes hard to hear.
  return list(language, [unit(language, 'minute', minutes), unit(language, 'second', rest)]);
}
