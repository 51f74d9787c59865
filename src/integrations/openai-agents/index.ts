export { AaepTracingProcessor, type RecordSink } from './AaepTracingProcessor.js';
export { withAaepStreaming } from './withAaepStreaming.js';
