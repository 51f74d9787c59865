export * from './envelope.js';
export * from './events.js';
export * from './replies.js';
export * from './subscription.js';
