export * from './attributes.js';
export * from './classifySpan.js';
export { conventionalRole } from './conventionalRole.js';
export * from './readAttributes.js';
export * from './frameworks.js';
export * from './normalizeAttributes.js';
