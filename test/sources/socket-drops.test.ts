/**
 * The kernel's count of datagrams dropped at a UDP socket (its receive buffer overran), read
 * from /proc/net/udp{,6} by the socket's bound address and port.
 *
 * Was: not read at all (a known limit the README listed): a mirror's burst while the event loop
 * was busy lost datagrams no counter showed. Now each live UDP source reports them
 * (`aipref_socket_receive_drops{source}`, the `counters` and `stop` log lines); here the count
 * is checked against a real socket: every datagram sent is either received or counted dropped.
 */
import { execFileSync } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { udpReceiveDrops } from '../../src/sources/socket-drops.js';

const dir = mkdtempSync(path.join(tmpdir(), 'aipref-proc-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('udpReceiveDrops, from the kernel tables', () => {
  // lines as Linux 6.x prints them (header, then one socket per line; drops last)
  writeFileSync(
    path.join(dir, 'udp'),
    '   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops            \n' +
      '  101: 0100007F:2384 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 31337 2 0000000000000000 17       \n' +
      '  102: 00000000:1F90 00000000:0000 07 00000000:00034000 00:00000000 00000000     0        0 31338 2 0000000000000000 0        \n',
  );
  writeFileSync(
    path.join(dir, 'udp6'),
    '  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n' +
      '  7: 00000000000000000000000001000000:2384 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 4242 2 0000000000000000 5\n' +
      '  8: B80D0120000000000000000001000000:17C1 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 4243 2 0000000000000000 9\n',
  );
  it('finds the socket by its bound address (words in host order) and port', () => {
    expect(udpReceiveDrops({ address: '127.0.0.1', port: 9092 }, dir)).toBe(17);
    expect(udpReceiveDrops({ address: '0.0.0.0', port: 8080 }, dir)).toBe(0);
    expect(udpReceiveDrops({ address: '::1', port: 9092 }, dir)).toBe(5);
    expect(udpReceiveDrops({ address: '2001:db8::1', port: 6081 }, dir)).toBe(9);
  });
  it('null where no such socket, or no table (not Linux)', () => {
    expect(udpReceiveDrops({ address: '127.0.0.1', port: 9093 }, dir)).toBeNull();
    expect(udpReceiveDrops({ address: '127.0.0.1', port: 9092 }, path.join(dir, 'missing'))).toBeNull();
  });
});

describe.skipIf(!existsSync('/proc/net/udp'))('a real socket whose receive buffer overruns', () => {
  it('every datagram sent is received or counted as dropped by the kernel', async () => {
    const socket: Socket = createSocket({ type: 'udp4', recvBufferSize: 64 * 1024 });
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    let received = 0;
    let last = performance.now();
    socket.on('message', () => {
      received++;
      last = performance.now();
    });
    const { port } = socket.address();
    try {
      expect(udpReceiveDrops({ address: '127.0.0.1', port })).toBe(0);
      // another process sends while this one's event loop is blocked: the socket is not read
      const sent = 3000;
      execFileSync(process.execPath, [
        '-e',
        `const s = require('dgram').createSocket('udp4'); const b = Buffer.alloc(1200, 0x80); let n = 0;
         const next = () => { if (n === ${sent}) return s.close(); n++; s.send(b, ${port}, '127.0.0.1', next); }; next();`,
      ]);
      // read what the buffer holds until 300 ms pass with nothing new (counted from the send's
      // end, not the socket's creation: on a loaded machine the send alone may take longer, and
      // the wait then ended before a single datagram was read)
      last = performance.now();
      do await new Promise((r) => setTimeout(r, 50));
      while (performance.now() - last < 300);
      const dropped = udpReceiveDrops({ address: '127.0.0.1', port });
      expect(dropped).toBeGreaterThan(0);
      expect(received + dropped!).toBe(sent);
    } finally {
      socket.close();
    }
  });
});
