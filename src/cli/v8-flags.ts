/**
 * V8 tiers a function up to optimised code after a budget of bytecode run in it. The default
 * budget suits long-lived servers; for a replay, which is over in a second or two, it has the
 * optimising compiler build code for over a hundred functions, some several times, on the
 * cores the replay itself needs: a 1-million-packet replay made 126 compilations (1.1 s of
 * compiler time) with --workers 0 and 214 (2.2 s) with --workers 2, where every worker compiles
 * its own code. With the budget 18 times larger: 30 (0.18 s) and 42 (0.41 s), and the replay
 * is faster (README, Performance); larger budgets (3 M, 8 M) were slower again, the hot paths
 * then running unoptimised for too long.
 *
 * bin/aipref-enforcer.js sets these before any of the enforcer's code is loaded (worker threads
 * share them), for the commands that read a file and end; the bench's warm-engine child runs
 * with them too. `live` runs for days, and its first packets are better served by code
 * optimised as soon as it is hot.
 */
export const BATCH_V8_FLAGS = '--interrupt-budget=1200000';
