/** Shared by this review's tests: an exporter in a temporary folder, on a clock moved by hand or the real one. */
export * from '../rotating-ndjson-helpers.js';
