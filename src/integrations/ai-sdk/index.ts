export { withAaepStreaming, type AaepStreamingOptions } from './withAaepStreaming.js';
