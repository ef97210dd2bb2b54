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
 * The old generation may grow by 30% past what the last full collection left before the next
 * one (V8's own factor here is up to 4×; it was 50% here until the ninth round): a replay of 1150 concurrent calls (10.3 M packets,
 * `npm run bench -- --large=calls`) peaked at 295 MB resident with the default workers, over
 * the 250 MB target, most of it garbage awaiting a full collection; with this, 229 MB at the
 * same wall time (6.2 s), and 171 instead of 198 MB with --workers 0 (6.7 s against 6.5 s).
 * Heap-heavy replays pay a few more full collections; the 1 M-packet bench capture's replay,
 * 867 vs 871 ms median with --workers 1 in six interleaved runs each, nothing measurable. 30%
 * since the ninth round, when the 1150 calls (a capture regenerated since) had reached 255–259 MB
 * with two shards: 244–246 MB with 30% (241–244 with 20%), and with the shards' young generation
 * at 4 MB too, 230–237 MB; the 1 M capture's replays as fast in interleaved runs (--workers 0 /
 * 1 / 2 medians 1.175 / 0.91 / 1.14 s against 1.19 / 0.90 / 1.11 s). The main thread's young
 * generation (up to two 16 MB semi-spaces) would be the next to cap, but its size is fixed when
 * the isolate is made: set here at run time, --max-semi-space-size changes nothing.
 *
 * bin/aipref-enforcer.js sets these before any of the enforcer's code is loaded (worker threads
 * share them), for the commands that read a file and end; the bench's warm-engine child runs
 * with them too, and so does the build's warm-up that writes the bundles' code caches (V8 takes
 * a cache only under the flags it was made with: src/cli/bundle-loader.ts). `live` runs for
 * days, and its first packets are better served by code optimised as soon as it is hot.
 */
export const BATCH_V8_FLAGS = '--interrupt-budget=1200000 --heap-growing-percent=30';
