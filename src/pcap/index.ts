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
  scanPcap,
  scanPcapBytes,
  linkTypeName,
  type PcapHeader,
  type PcapScan,
  type PcapVisitor,
  type PcapReadOptions,
  type PcapRecord,
  type PcapTrace,
} from './read.js';
export { pcapToPkt, pcapFileToPkt, type PcapToPktOptions, type PcapToPktOutput } from './pcap2pkt.js';
export { renderScript, renderScriptToPcap, RENDER_ANCHOR, RENDER_LOCAL_ISN } from './render.js';
export {
  splitFlows,
  readFlows,
  FlowSplitter,
  describeFlow,
  flowTuple,
  FLOW_LINK_TYPES,
  type TcpFlow,
  type FlowHead,
  FlowSegments,
  SegmentTable,
  type FlowSegment,
  type FlowTcp,
  type SplitOptions,
  type TraceFlows,
} from './flows.js';
export { replayTrace, withoutCalls, type ReplayOptions, type ReplayResult } from './replay.js';
