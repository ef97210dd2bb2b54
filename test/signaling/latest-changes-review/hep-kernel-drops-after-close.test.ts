/**
 * Found by a review of the latest changes (a suspicion, pinned and fixed since): a /metrics scrape
 * while `live --hep` drains asked the closed HEP socket for its address (the kernel-drops gauge),
 * which throws ERR_SOCKET_DGRAM_NOT_RUNNING, and the registry answered with an error. The bound
 * address is now kept from the bind (src/sources/hep-listener.ts udpAddress).
 *
 * Input: a HepListener on 127.0.0.1, port 0, then closed; an EnforcerMetrics whose socket-drops
 * gauge reads it.
 * Correct: the gauge answers (a count, or null where the kernel no longer lists the socket) and
 * the metrics text is made, as for the UDP listener, which keeps its bound address.
 */
import { expect, it } from 'vitest';
import { EnforcerMetrics } from '../../../src/export/metrics.js';
import { HepListener } from '../../../src/sources/hep-listener.js';

it('the HEP listener tells its kernel drops after it closed, and /metrics is made', async () => {
  const listener = await HepListener.start({ host: '127.0.0.1', udpPort: 0, onPacket: () => {}, onMalformed: () => {} });
  const port = listener.udpAddress!.port;
  const metrics = new EnforcerMetrics();
  metrics.trackSocketDrops('hep', () => listener.kernelDrops());
  await listener.close();
  expect(listener.udpAddress?.port).toBe(port);
  expect(() => listener.kernelDrops()).not.toThrow();
  await expect(metrics.text()).resolves.toContain('aipref_socket_receive_drops');
});
