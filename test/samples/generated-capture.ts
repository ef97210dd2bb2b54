/**
 * Generates captures into a fresh temporary directory for a test file and removes it after,
 * so no test leaves large files behind.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateCapture, type GenerateOptions } from '../../samples/generator/generate-capture.js';
import type { GenerationTruth } from '../../samples/generator/truth.js';

export interface GeneratedCapture {
  path: string;
  truth: GenerationTruth;
}

export class TempCaptures {
  private dir: string | null = null;
  private n = 0;

  async generate(options: GenerateOptions): Promise<GeneratedCapture> {
    this.dir ??= await mkdtemp(join(tmpdir(), 'aipref-samples-'));
    const path = join(this.dir, `capture-${this.n++}.pcap`);
    const truth = await generateCapture(options, path);
    return { path, truth };
  }

  async file(name: string): Promise<string> {
    this.dir ??= await mkdtemp(join(tmpdir(), 'aipref-samples-'));
    return join(this.dir, name);
  }

  async cleanup(): Promise<void> {
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
    this.dir = null;
  }
}

/** A dozen calls over four seconds: every scripted route and renegotiation plus random calls. */
export const MEDIUM_CAPTURE: GenerateOptions = { calls: 12, durationSec: 4, seed: 11, videoBytes: 500 };
