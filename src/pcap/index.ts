export {
  PcapWriter,
  encodePcap,
  wallClockAnchor,
  DEFAULT_SNAPLEN,
  LINKTYPE_ETHERNET,
  PCAP_GLOBAL_HEADER_LENGTH,
  PCAP_MAGIC_NSEC,
  PCAP_MAGIC_USEC,
  PCAP_RECORD_HEADER_LENGTH,
  type PcapRecordInput,
  type PcapResolution,
  type PcapWriteOptions,
  type WallClockAnchor,
} from './write.js';
export {
  readPcap,
  decodePcap,
  linkTypeName,
  type PcapReadOptions,
  type PcapRecord,
  type PcapTrace,
} from './read.js';
