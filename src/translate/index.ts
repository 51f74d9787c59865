export { Translator } from './Translator.js';
export { AAEP_VERSION } from './TranslateContext.js';
export type { ReplyRequest, TranslatorOptions } from './TranslatorOptions.js';
