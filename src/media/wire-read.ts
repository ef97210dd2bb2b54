/**
 * Big-endian integer reads for the RTP and RTCP decoders: the packet layers' own (index
 * arithmetic, no DataView per packet), under the short names the decoders use. Callers check
 * bounds first; these do not.
 */
export { readUint16 as readU16, readUint24 as readU24, readUint32 as readU32 } from '../../native-free/big-endian.js';
