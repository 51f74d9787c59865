export { registerAaepLangChain } from './registerAaepLangChain.js';
