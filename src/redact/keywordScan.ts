/**
 * One pass over a text that reports which of many lower-case keywords occur in it, so that only
 * the rules whose keyword is present run (gitleaks does the same). Keywords are indexed by their
 * first two characters; a position is checked only against the keywords that start with its pair.
 */
export class KeywordScan {
  private readonly byPair = new Map<number, string[]>();

  constructor(keywords: Iterable<string>) {
    for (const keyword of new Set(keywords)) {
      if (keyword.length < 2) throw new Error(`keyword too short: ${keyword}`);
      const pair = keyword.charCodeAt(0) * 0x10000 + keyword.charCodeAt(1);
      const list = this.byPair.get(pair);
      if (list === undefined) this.byPair.set(pair, [keyword]);
      else list.push(keyword);
    }
  }

  /** Keywords found in `text` (compared lower-case); undefined when none. */
  find(text: string): Set<string> | undefined {
    const lower = text.toLowerCase();
    let found: Set<string> | undefined;
    let next = lower.charCodeAt(0);
    for (let i = 0; i < lower.length - 1; i++) {
      const code = next;
      next = lower.charCodeAt(i + 1);
      const list = this.byPair.get(code * 0x10000 + next);
      if (list === undefined) continue;
      for (const keyword of list) {
        if (keyword.length === 2 || lower.startsWith(keyword, i)) (found ??= new Set()).add(keyword);
      }
    }
    return found;
  }
}
