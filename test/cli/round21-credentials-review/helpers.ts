/** Shared bits of this review's tests (round 21, review of 9e5335d's credentials fixes): round 20's. */
export * from '../round20-fix-2-review/helpers.js';
