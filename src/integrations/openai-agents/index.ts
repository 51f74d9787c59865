export { AaepTracingProcessor, type RecordSink } from './AaepTracingProcessor.js';
