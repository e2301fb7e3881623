import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  closestCounter,
  diffCounters,
  parseCounterTable,
  parseCounters,
  parseSnmp6,
  resolveCounter,
  splitCounterName,
} from '../src/kernel/index.js';

const isRoot = typeof process.geteuid === 'function' && process.geteuid() === 0;

// Captured on Linux 6.18 inside a throwaway namespace, after a listen(fd, 1)
// socket got 4 SYNs from a veth peer with tcp_syncookies=1 (plus a dual-stack
// listener's SYNs): 2 requests, then cookies.
const SNMP = `Ip: Forwarding DefaultTTL InReceives InHdrErrors InAddrErrors ForwDatagrams InUnknownProtos InDiscards InDelivers OutRequests OutDiscards OutNoRoutes ReasmTimeout ReasmReqds ReasmOKs ReasmFails FragOKs FragFails FragCreates OutTransmits
Ip: 2 64 12 0 6 0 0 0 6 6 0 0 0 0 0 0 0 0 0 6
Icmp: InMsgs InErrors InCsumErrors InDestUnreachs InTimeExcds InParmProbs InSrcQuenchs InRedirects InEchos InEchoReps InTimestamps InTimestampReps InAddrMasks InAddrMaskReps OutMsgs OutErrors OutRateLimitGlobal OutRateLimitHost OutDestUnreachs OutTimeExcds OutParmProbs OutSrcQuenchs OutRedirects OutEchos OutEchoReps OutTimestamps OutTimestampReps OutAddrMasks OutAddrMaskReps
Icmp: 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0
Tcp: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens PassiveOpens AttemptFails EstabResets CurrEstab InSegs OutSegs RetransSegs InErrs OutRsts InCsumErrors
Tcp: 1 200 120000 -1 0 0 0 0 0 9 9 0 0 0 0
Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors IgnoredMulti MemErrors
Udp: 0 0 0 0 0 0 0 0 0
UdpLite: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors IgnoredMulti MemErrors
UdpLite: 0 0 0 0 0 0 0 0 0
`;
const NETSTAT = `TcpExt: SyncookiesSent SyncookiesRecv SyncookiesFailed EmbryonicRsts PruneCalled RcvPruned OfoPruned OutOfWindowIcmps LockDroppedIcmps ArpFilter TW TWRecycled TWKilled PAWSActive PAWSEstab BeyondWindow TSEcrRejected PAWSOldAck PAWSTimewait DelayedACKs DelayedACKLocked DelayedACKLost ListenOverflows ListenDrops TCPHPHits TCPPureAcks TCPHPAcks TCPRenoRecovery TCPSackRecovery TCPSACKReneging TCPSACKReorder TCPRenoReorder TCPTSReorder TCPFullUndo TCPPartialUndo TCPDSACKUndo TCPLossUndo TCPLostRetransmit TCPRenoFailures TCPSackFailures TCPLossFailures TCPFastRetrans TCPSlowStartRetrans TCPTimeouts TCPLossProbes TCPLossProbeRecovery TCPRenoRecoveryFail TCPSackRecoveryFail TCPRcvCollapsed TCPBacklogCoalesce TCPDSACKOldSent TCPDSACKOfoSent TCPDSACKRecv TCPDSACKOfoRecv TCPAbortOnData TCPAbortOnClose TCPAbortOnMemory TCPAbortOnTimeout TCPAbortOnLinger TCPAbortFailed TCPMemoryPressures TCPMemoryPressuresChrono TCPSACKDiscard TCPDSACKIgnoredOld TCPDSACKIgnoredNoUndo TCPSpuriousRTOs TCPMD5NotFound TCPMD5Unexpected TCPMD5Failure TCPSackShifted TCPSackMerged TCPSackShiftFallback TCPBacklogDrop PFMemallocDrop TCPMinTTLDrop TCPDeferAcceptDrop IPReversePathFilter TCPTimeWaitOverflow TCPReqQFullDoCookies TCPReqQFullDrop TCPRetransFail TCPRcvCoalesce TCPOFOQueue TCPOFODrop TCPOFOMerge TCPChallengeACK TCPSYNChallenge TCPFastOpenActive TCPFastOpenActiveFail TCPFastOpenPassive TCPFastOpenPassiveFail TCPFastOpenListenOverflow TCPFastOpenCookieReqd TCPFastOpenBlackhole TCPSpuriousRtxHostQueues BusyPollRxPackets TCPAutoCorking TCPFromZeroWindowAdv TCPToZeroWindowAdv TCPWantZeroWindowAdv TCPSynRetrans TCPOrigDataSent TCPHystartTrainDetect TCPHystartTrainCwnd TCPHystartDelayDetect TCPHystartDelayCwnd TCPACKSkippedSynRecv TCPACKSkippedPAWS TCPACKSkippedSeq TCPACKSkippedFinWait2 TCPACKSkippedTimeWait TCPACKSkippedChallenge TCPWinProbe TCPKeepAlive TCPMTUPFail TCPMTUPSuccess TCPDelivered TCPDeliveredCE TCPAckCompressed TCPZeroWindowDrop TCPRcvQDrop TCPWqueueTooBig TCPFastOpenPassiveAltKey TcpTimeoutRehash TcpDuplicateDataRehash TCPDSACKRecvSegs TCPDSACKIgnoredDubious TCPMigrateReqSuccess TCPMigrateReqFailure TCPPLBRehash TCPAORequired TCPAOBad TCPAOKeyNotFound TCPAOGood TCPAODroppedIcmps
TcpExt: 5 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 5 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0
IpExt: InNoRoutes InTruncatedPkts InMcastPkts OutMcastPkts InBcastPkts OutBcastPkts InOctets OutOctets InMcastOctets OutMcastOctets InBcastOctets OutBcastOctets InCsumErrors InNoECTPkts InECT1Pkts InECT0Pkts InCEPkts ReasmOverlaps
IpExt: 0 0 0 0 0 0 720 360 0 0 0 0 0 12 0 0 0 0
`;
const SNMP6 = `Ip6InReceives                   	12
Ip6InHdrErrors                  	0
Ip6InTooBigErrors               	0
Ip6InNoRoutes                   	0
Ip6InAddrErrors                 	0
Ip6InUnknownProtos              	0
Ip6InTruncatedPkts              	0
Ip6InDiscards                   	9
Ip6InDelivers                   	3
Ip6OutForwDatagrams             	0
Ip6OutRequests                  	9
Ip6OutDiscards                  	0
Ip6InNoECTPkts                  	3
Ip6InECT1Pkts                   	0
`;

describe('parsing the /proc/net tables', () => {
  const { counters, problems } = parseCounters({ snmp: SNMP, netstat: NETSTAT, snmp6: SNMP6 });

  it('names counters as nstat does: group label + field', () => {
    expect(problems).toEqual([]);
    expect(counters.get('TcpExtSyncookiesSent')).toBe(5n);
    expect(counters.get('TcpExtTCPReqQFullDoCookies')).toBe(5n);
    expect(counters.get('TcpExtSyncookiesRecv')).toBe(0n);
    expect(counters.get('TcpExtListenOverflows')).toBe(0n);
    expect(counters.get('IpExtInOctets')).toBe(720n);
    expect(counters.get('IpInReceives')).toBe(12n);
    expect(counters.get('TcpPassiveOpens')).toBe(0n);
    expect(counters.get('Ip6InReceives')).toBe(12n);
    expect(counters.get('Ip6InDiscards')).toBe(9n);
    expect(counters.get('Ip6OutRequests')).toBe(9n);
  });

  it('keeps negative values (Tcp MaxConn is -1)', () => {
    expect(counters.get('TcpMaxConn')).toBe(-1n);
  });

  it('counts every field of every group', () => {
    const tcpExt = NETSTAT.split('\n')[0]!.split(/\s+/).length - 1;
    expect([...counters.keys()].filter((n) => n.startsWith('TcpExt')).length).toBe(tcpExt);
    expect(counters.size).toBe(
      [SNMP, NETSTAT].reduce((n, t) => n + t.split('\n').filter((l, i) => i % 2 === 0 && l !== '').reduce((m, l) => m + l.split(/\s+/).length - 1, 0), 0) +
        SNMP6.trim().split('\n').length,
    );
  });

  it('reports, and survives, tables that do not pair up', () => {
    const r = parseCounterTable('Tcp: A B C\nTcp: 1 2\nUdp: X\nIp: Y\nIp: 7\nnonsense\nIcmp: Z\nIcmp: q\n', 'snmp');
    expect([...r.counters]).toEqual([
      ['TcpA', 1n],
      ['TcpB', 2n],
      ['IpY', 7n],
    ]);
    expect(r.problems).toEqual([
      "snmp line 2: 'Tcp' has 3 names but 2 values",
      "snmp line 3: 'Udp' header without a value line",
      "snmp line 6: no 'Group:' label",
      "snmp line 8: IcmpZ value 'q' is not an integer",
    ]);
    expect(parseSnmp6('Ip6InReceives 3\nbad line here\n').problems).toEqual(["snmp6 line 2: expected 'Name value', got 'bad line here'"]);
  });
});

describe('names users write', () => {
  const { counters } = parseCounters({ snmp: SNMP, netstat: NETSTAT, snmp6: SNMP6 });

  it('splits a name at the longest group', () => {
    expect(splitCounterName('IpExtInOctets')).toEqual({ group: 'IpExt', field: 'InOctets' });
    expect(splitCounterName('Ip6InReceives')).toEqual({ group: 'Ip6', field: 'InReceives' });
    expect(splitCounterName('IpInReceives')).toEqual({ group: 'Ip', field: 'InReceives' });
    expect(splitCounterName('TcpExtListenDrops')).toEqual({ group: 'TcpExt', field: 'ListenDrops' });
    expect(splitCounterName('Whatever')).toBeUndefined();
  });

  it('resolves exact names, other cases, and bare fields found in one group', () => {
    expect(resolveCounter('TcpExtListenOverflows', counters)).toEqual({ ok: true, name: 'TcpExtListenOverflows' });
    expect(resolveCounter('tcpextlistenoverflows', counters)).toEqual({ ok: true, name: 'TcpExtListenOverflows' });
    expect(resolveCounter('ListenOverflows', counters)).toEqual({ ok: true, name: 'TcpExtListenOverflows' });
    expect(resolveCounter('SyncookiesSent', counters)).toEqual({ ok: true, name: 'TcpExtSyncookiesSent' });
    expect(resolveCounter('syncookiesfailed', counters)).toEqual({ ok: true, name: 'TcpExtSyncookiesFailed' });
    expect(resolveCounter('PassiveOpens', counters)).toEqual({ ok: true, name: 'TcpPassiveOpens' });
    expect(resolveCounter('InOctets', counters)).toEqual({ ok: true, name: 'IpExtInOctets' });
  });

  it('refuses a bare field found in several groups, naming them', () => {
    const r = resolveCounter('InCsumErrors', counters);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.candidates).toEqual(['IcmpInCsumErrors', 'TcpInCsumErrors', 'UdpInCsumErrors', 'UdpLiteInCsumErrors', 'IpExtInCsumErrors']);
    expect(r.error).toBe(
      "counter 'InCsumErrors' is ambiguous: IcmpInCsumErrors, TcpInCsumErrors, UdpInCsumErrors, UdpLiteInCsumErrors, IpExtInCsumErrors",
    );
    // A bare name never matches across a group boundary: "ExtInOctets" is not Ip + ExtInOctets.
    expect(resolveCounter('ExtInOctets', counters).ok).toBe(false);
  });

  it('suggests the closest name', () => {
    expect(resolveCounter('TcpExtListenOverflow', counters)).toEqual({
      ok: false,
      error: "unknown counter 'TcpExtListenOverflow'; did you mean 'TcpExtListenOverflows'?",
      suggestion: 'TcpExtListenOverflows',
    });
    expect(closestCounter('TcpExtSyncookieSent', counters)).toBe('TcpExtSyncookiesSent');
    expect(closestCounter('ListenOverflow', counters)).toBe('TcpExtListenOverflows');
    expect(closestCounter('SyncookiesFialed', counters)).toBe('TcpExtSyncookiesFailed');
    expect(closestCounter('TCPReqQFullDrops', counters)).toBe('TcpExtTCPReqQFullDrop');
    expect(closestCounter('NoSuchThingAtAll', counters)).toBeUndefined();
    expect(resolveCounter('NoSuchThingAtAll', counters)).toEqual({ ok: false, error: "unknown counter 'NoSuchThingAtAll'" });
  });
});

describe('diffCounters', () => {
  it('lists what changed, missing counting as zero', () => {
    const before = new Map([
      ['A', 1n],
      ['B', 2n],
      ['Gone', 4n],
    ]);
    const after = new Map([
      ['A', 1n],
      ['B', 5n],
      ['New', 3n],
      ['NewZero', 0n],
    ]);
    expect(diffCounters(before, after)).toEqual([
      { name: 'B', before: 2n, after: 5n, delta: 3n },
      { name: 'New', before: 0n, after: 3n, delta: 3n },
      { name: 'Gone', before: 4n, after: 0n, delta: -4n },
    ]);
  });
});

describe.skipIf(!isRoot)('in a fresh network namespace', () => {
  const SEP = '@@pktdrill@@';
  const dump = (): string[] =>
    execFileSync(
      'unshare',
      ['-n', 'sh', '-c', `cat /proc/net/snmp; echo ${SEP}; cat /proc/net/netstat; echo ${SEP}; cat /proc/net/snmp6 2>/dev/null; echo ${SEP}; nstat -asz`],
      { encoding: 'utf8' },
    ).split(`${SEP}\n`);

  it('every counter starts at zero, but the constants', () => {
    const [snmp, netstat, snmp6] = dump();
    const { counters, problems } = parseCounters({ snmp, netstat, snmp6 });
    expect(problems).toEqual([]);
    const nonZero = Object.fromEntries([...counters].filter(([, v]) => v !== 0n));
    expect(nonZero).toEqual({
      IpForwarding: 2n,
      IpDefaultTTL: 64n,
      TcpRtoAlgorithm: 1n,
      TcpRtoMin: 200n,
      TcpRtoMax: 120000n,
      TcpMaxConn: -1n,
    });
  });

  it('names and values agree with nstat', () => {
    const [snmp, netstat, snmp6, nstat] = dump();
    const { counters } = parseCounters({ snmp, netstat, snmp6 });
    const theirs = new Map<string, bigint>();
    for (const line of nstat!.split('\n')) {
      const f = line.trim().split(/\s+/);
      if (f.length >= 2 && !line.startsWith('#')) theirs.set(f[0]!, BigInt(f[1]!));
    }
    expect(theirs.size).toBeGreaterThan(300);
    for (const [name, v] of theirs) expect([name, counters.get(name)]).toEqual([name, v]);
  });
});
