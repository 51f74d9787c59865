/**
 * The CLDR-driven pieces every language's phrases share (through `Intl`): plural
 * categories, lists, numbers and durations. Formatters are built once per language.
 */

type PluralForms = Partial<Record<Intl.LDMLPluralRule, string>> & { readonly other: string };

interface Formatters {
  readonly plural: Intl.PluralRules;
  readonly number: Intl.NumberFormat;
  readonly and: Intl.ListFormat;
  readonly or: Intl.ListFormat;
  readonly second: Intl.NumberFormat;
  readonly minute: Intl.NumberFormat;
  /** Small whole numbers said already, and their plural category: `Intl` costs a microsecond a call, and progress, counts and countdowns repeat the same few. */
  readonly numbers: string[];
  readonly categories: Intl.LDMLPluralRule[];
}

const SMALL_NUMBERS = 1024;

const byLanguage = new Map<string, Formatters>();

function formatters(language: string): Formatters {
  let made = byLanguage.get(language);
  if (made === undefined) {
    const unit = (name: 'second' | 'minute') =>
      new Intl.NumberFormat(language, { style: 'unit', unit: name, unitDisplay: 'long', maximumFractionDigits: 1 });
    made = {
      plural: new Intl.PluralRules(language),
      number: new Intl.NumberFormat(language, { maximumFractionDigits: 1 }),
      and: new Intl.ListFormat(language, { type: 'conjunction', style: 'long' }),
      or: new Intl.ListFormat(language, { type: 'disjunction', style: 'long' }),
      second: unit('second'),
      minute: unit('minute'),
      numbers: [],
      categories: [],
    };
    byLanguage.set(language, made);
  }
  return made;
}

/** The form of a counted word for `count` in `language` (CLDR plural rules), `#` replaced by the number. */
export function plural(language: string, count: number, forms: PluralForms): string {
  const made = formatters(language);
  const small = isSmall(count);
  let category = small ? made.categories[count] : undefined;
  if (category === undefined) {
    category = made.plural.select(count);
    if (small) made.categories[count] = category;
  }
  const form = forms[category] ?? forms.other;
  return form.replace('#', formatNumber(language, count));
}

export function formatNumber(language: string, value: number): string {
  const made = formatters(language);
  if (!isSmall(value)) return made.number.format(value);
  return (made.numbers[value] ??= made.number.format(value));
}

function isSmall(value: number): boolean {
  return Number.isInteger(value) && value >= 0 && value < SMALL_NUMBERS;
}

/** "a, b and c" as the language lists things; `or` for alternatives. */
export function list(language: string, items: readonly string[], kind: 'and' | 'or' = 'and'): string {
  return formatters(language)[kind].format(items);
}

/** A duration in words: tenths of a second under a minute, then minutes and whole seconds. */
export function duration(language: string, ms: number, underASecond: string): string {
  if (ms < 1000) return underASecond;
  const { second, minute } = formatters(language);
  const seconds = Math.round(ms / 100) / 10;
  if (seconds < 60) return second.format(seconds);
  const minutes = Math.floor(seconds / 60);
  const rest = Math.round(seconds % 60);
  if (rest === 0) return minute.format(minutes);
  // "3 minutes and 20 seconds": CLDR's unit lists use a bare comma in English and German, which a comma after it makes hard to hear.
  return list(language, [minute.format(minutes), second.format(rest)]);
}
