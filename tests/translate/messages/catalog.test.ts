import { describe, expect, it } from 'vitest';
import { CATALOGS, PHRASE_LANGUAGES, firstPhraseLanguage, phraseLanguageOf } from '../../../src/translate/messages/catalog.js';
import type { MessageKey, Messages } from '../../../src/translate/messages/Messages.js';
import { joined, phrase, renderText } from '../../../src/translate/messages/Phrase.js';
import { en } from '../../../src/translate/messages/en.js';

/** Every phrase with arguments of each kind it takes (agent text, counts, states, flags). */
const SAMPLES: { readonly [K in MessageKey]: ReadonlyArray<Parameters<Messages[K]>> } = {
  defaultAgentName: [[]],
  started: [[]],
  workingOnRequest: [['Travel assistant', 'book a flight to Oslo']],
  startedWorking: [['Travel assistant']],
  canUseTools: [[['search web']], [['search web', 'send email', 'read calendar']]],
  conversation: [['c42']],
  done: [[]],
  finishedIn: [[500, 0], [1_500, 1], [125_000, 3], [120_000, 1_000_000]],
  cancelled: [[]],
  cancelledByYou: [[]],
  stoppedBeforeFinishing: [['Travel assistant']],
  stopped: [[]],
  shuttingDown: [['Travel assistant']],
  failed: [[]],
  couldNotFinish: [['Travel assistant', 'rate limit exceeded']],
  couldNotFinishError: [['Travel assistant']],
  tryAgain: [[]],
  stateTerse: [['idle'], ['thinking'], ['calling_tool'], ['writing_output'], ['awaiting_input'], ['deciding'], ['handing_off']],
  stateNormal: [['idle'], ['thinking'], ['calling_tool'], ['writing_output'], ['awaiting_input'], ['deciding'], ['handing_off']],
  stateActivity: [['calling_tool', 'search web'], ['handing_off', 'a person']],
  model: [['gpt-5']],
  using: [['search web']],
  usingWith: [['search web', 'query: Oslo']],
  toolDone: [['search web']],
  toolFinished: [['search web', '3 results'], ['search web', undefined]],
  toolTimedOut: [['search web']],
  toolNoAnswer: [['search web']],
  toolFailed: [['search web', 'HTTP 500'], ['search web', undefined]],
  toolTook: [['Search web finished.', 2_300]],
  timedOut: [[]],
  toolFailedMessage: [[]],
  toolAbandoned: [['search web']],
  toolUnfinished: [['search web']],
  abandonedMessage: [[]],
  toolNotRun: [['search web']],
  toolNotRunBeforeEnd: [['search web']],
  notRunMessage: [[]],
  items: [[0], [1], [2], [5], [1_000_000]],
  details: [[1], [3]],
  andMore: [[1], [4]],
  hiddenCredential: [[]],
  defaultConsequence: [[]],
  confirmShort: [['Send the email']],
  confirmationNeeded: [['Send the email', 'Ada gets it now', true], ['Send the email', 'Ada gets it now', false]],
  confirmationDeadline: [['N.', 45, 'accept'], ['N.', 200, 'reject']],
  accepted: [['send the email', false], ['send the email', true]],
  rejected: [['send it', 'timeout'], ['send it', 'cancelled'], ['send it', 'user'], ['send it', undefined]],
  question: [['Which city?', ['Oslo', 'Bergen', 'Tromsø']], ['Which city?', []]],
  questionDeadline: [['Q.', 'For the hotel', 90], ['Q.', undefined, 30]],
  youAnswered: [['Oslo'], [undefined]],
  questionCancelled: [[]],
  noAnswerDefault: [['Oslo']],
  noAnswer: [[]],
  handoffTarget: [['human'], ['specialist_agent'], ['escalation_queue']],
  handingOverTo: [['a person']],
  percent: [[40]],
  step: [[2, 5], [3, undefined]],
  progressNormal: [['Indexing files', '40 percent'], [undefined, 'step 2 of 5'], [undefined, undefined]],
  progressTerse: [['40 percent'], [undefined]],
  secondsLeftToConfirm: [[1, 'send it'], [30, 'send it']],
  secondsLeftToAnswer: [[1, 'which city'], [30, 'which city']],
  orphanedToolNormal: [[]],
  orphanedToolMessage: [[]],
  serviceRestarted: [[]],
  sessionUnfollowable: [[]],
  underASecond: [[]],
};

const keys = Object.keys(en) as MessageKey[];
const say = (messages: Messages, key: MessageKey, args: readonly unknown[]) => (messages[key] as (...a: unknown[]) => string)(...args);

describe.each(PHRASE_LANGUAGES)('the %s catalog', (language) => {
  const messages = CATALOGS[language];

  it('says every phrase, for every kind of argument, as plain words', () => {
    expect(Object.keys(messages).sort()).toEqual([...keys].sort());
    for (const key of keys) {
      for (const args of SAMPLES[key]) {
        const text = say(messages, key, args);
        expect(text, `${key}(${JSON.stringify(args)})`).toMatch(/\S/);
        // Nothing a template left unfilled or a value that is not words.
        expect(text, `${key}(${JSON.stringify(args)})`).not.toMatch(/undefined|null|NaN|\[object|#|\$\{/);
        expect(text).toBe(text.trim());
      }
    }
  });

  it('keeps the agent\'s own words exactly as written', () => {
    expect(say(messages, 'workingOnRequest', ['Agent X', 'réserve un vol à 9h'])).toContain('réserve un vol à 9h');
    expect(say(messages, 'couldNotFinish', ['Agent X', 'quota exceeded'])).toContain('quota exceeded');
    expect(say(messages, 'question', ['Which city?', ['Oslo', 'Bergen']])).toContain('Which city?');
  });

  it('counts with the language\'s plural rules and its number format', () => {
    expect(say(messages, 'items', [1])).not.toBe(say(messages, 'items', [2]).replace('2', '1'));
    expect(say(messages, 'items', [1_000_000])).toContain(new Intl.NumberFormat(language).format(1_000_000));
    expect(say(messages, 'finishedIn', [1_500, 1])).toContain(new Intl.NumberFormat(language, { style: 'unit', unit: 'second', unitDisplay: 'long', maximumFractionDigits: 1 }).format(1.5));
  });
});

describe('phrases', () => {
  it('are said in any catalog from the same phrase, with phrases inside phrases and joined texts', () => {
    const detailed = joined([phrase.stateActivity('calling_tool', phrase.model('gpt-5')), 'The agent’s own sentence.']);
    expect(renderText(detailed, CATALOGS.en)).toBe('Using a tool: model gpt-5. The agent’s own sentence.');
    expect(renderText(detailed, CATALOGS.de)).toBe('Verwendet ein Werkzeug: Modell gpt-5. The agent’s own sentence.');
    expect(renderText(joined(['a long part', phrase.andMore(3)], ', ', 14), CATALOGS.en)).toBe('a long part,…');
  });

  it('survive JSON, as they do in a shared hub\'s stream entries', () => {
    const text = phrase.finishedIn(125_000, 2);
    expect(renderText(JSON.parse(JSON.stringify(text)), CATALOGS.fr)).toBe(renderText(text, CATALOGS.fr));
    expect(renderText(JSON.parse(JSON.stringify(phrase.toolFinished('search web', undefined))), CATALOGS.en)).toBe('Search web finished.');
  });

  it('are shared objects for no argument or one short word, in a memory of at most 1,024 words per phrase', () => {
    expect(phrase.done()).toBe(phrase.done());
    const first = phrase.toolTimedOut('word 0');
    expect(phrase.toolTimedOut('word 0')).toBe(first);
    // Long or several arguments are not remembered at all.
    expect(phrase.toolTimedOut('x'.repeat(65))).not.toBe(phrase.toolTimedOut('x'.repeat(65)));
    expect(phrase.workingOnRequest('a', 'b')).not.toBe(phrase.workingOnRequest('a', 'b'));
    for (let i = 1; i < 1_024; i++) phrase.toolTimedOut(`word ${i}`);
    expect(phrase.toolTimedOut('word 0')).toBe(first);
    // The 1,025th word finds the memory full: it starts again, and the first word is made anew.
    phrase.toolTimedOut('word 1024');
    const again = phrase.toolTimedOut('word 0');
    expect(again).not.toBe(first);
    expect(again).toEqual(first);
  });

  it('refuse a key no catalog has, instead of saying something else', () => {
    expect(() => renderText({ k: 'nope' as MessageKey, a: [] }, CATALOGS.en)).toThrow(/No phrase "nope"/);
  });
});

describe('choosing a catalog', () => {
  it('takes a tag\'s primary language (region and script fall back), and the first of a list it has', () => {
    expect(phraseLanguageOf('fr-CA')).toBe('fr');
    expect(phraseLanguageOf('DE')).toBe('de');
    expect(phraseLanguageOf('es-419')).toBe('es');
    expect(phraseLanguageOf('yo-NG')).toBeUndefined();
    expect(phraseLanguageOf('constructor')).toBeUndefined();
    expect(firstPhraseLanguage(['yo-NG', 'ha', 'de-AT', 'en'])).toBe('de');
    expect(firstPhraseLanguage(['yo-NG'])).toBeUndefined();
    expect(firstPhraseLanguage(undefined)).toBeUndefined();
  });
});
