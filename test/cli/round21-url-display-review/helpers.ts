/** Shared bits of this review's tests (round 21, review of 0206233's URL display rewrite): round 20's. */
export * from '../round20-fix-2-review/helpers.js';
