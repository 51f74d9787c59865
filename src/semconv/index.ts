export * from './attributes.js';
export * from './classifySpan.js';
export * from './readAttributes.js';
