/** The shape of a language tag we pass on: BCP 47 letters, digits and hyphens. */
const TAG = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;
const MAX_LANGUAGES = 8;

/** Whether `tag` has the shape of a language tag this client passes on. */
export function isLanguageTag(tag: string): boolean {
  return TAG.test(tag);
}

/** "fr_FR.UTF-8@euro" → "fr-FR"; "C" and "POSIX" name no language. */
function fromPosix(locale: string): string | undefined {
  const tag = locale.split(/[.@]/)[0]!.replace(/_/g, '-');
  return tag === 'C' || tag === 'POSIX' || !TAG.test(tag) ? undefined : tag;
}

/**
 * The languages the person using this client reads, most preferred first, for the
 * `languages` capability (spec §5.3.1.3): in Node the POSIX locale (`LANGUAGE`, `LC_ALL`,
 * `LC_MESSAGES`, `LANG`), in a browser its languages, else the runtime's; English is added
 * last as the fallback spec §11.2.1 suggests, so a producer without them still serves.
 */
export function userLanguages(env: Record<string, string | undefined> | undefined = typeof process === 'undefined' ? undefined : process.env): string[] {
  const posix = env === undefined ? [] : [...(env.LANGUAGE?.split(':') ?? []), env.LC_ALL, env.LC_MESSAGES, env.LANG];
  let tags = posix.filter((value): value is string => value !== undefined && value !== '').map(fromPosix).filter((tag): tag is string => tag !== undefined);
  const nav = (globalThis as { navigator?: { languages?: readonly string[]; language?: string } }).navigator;
  if (tags.length === 0) tags = [...(nav?.languages ?? (nav?.language !== undefined ? [nav.language] : []))].filter((tag) => TAG.test(tag));
  if (tags.length === 0) tags = [Intl.DateTimeFormat().resolvedOptions().locale].filter((tag) => TAG.test(tag));
  const unique = [...new Set(tags)].slice(0, MAX_LANGUAGES - 1);
  if (!unique.some((tag) => tag.toLowerCase().split('-')[0] === 'en')) unique.push('en');
  return unique;
}
