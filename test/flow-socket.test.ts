// Flows and the socket under test: packetdrill checks outbound packets
// against the one socket socket() last made; so does the default flow.

import { describe, expect, it } from 'vitest';
import { FLOW_DEFAULTS, connectedFlowIn } from './fixtures/flows.js';
import { Flows } from '../src/engine/flow.js';

const defaults = FLOW_DEFAULTS;

describe('Flows: a new socket under test', () => {
  it("after socket(), the old connection's segments are no flow's until the new socket's SYN", () => {
    const flows = new Flows(defaults, 1);
    const flow = connectedFlowIn(flows);
    expect(flows.forCaptured(40123, 8080)).toBe(flow);
    flows.newSocketUnderTest();
    // The old socket's ACK of a late FIN.
    expect(flows.forCaptured(40123, 8080)).toBeNull();
    // The new socket's SYN, from another port: the flow follows it.
    expect(flows.forCaptured(40777, 8080, true)).toBe(flow);
    expect(flow.localPort).toBe(40777);
    expect(flows.forCaptured(40123, 8080)).toBeNull();
    expect(flows.forCaptured(40777, 8080)).toBe(flow);
  });

  it('a flow with no TCP connection yet (a UDP script, a first socket) is left as it is', () => {
    const flows = new Flows(defaults, 1);
    const flow = flows.forInbound(null);
    flows.newSocketUnderTest();
    expect(flows.forCaptured(8080, flow.remotePort!)).toBe(flow);
  });

  it('an inbound packet on the flow takes it back', () => {
    const flows = new Flows(defaults, 1);
    const flow = connectedFlowIn(flows);
    flows.newSocketUnderTest();
    expect(flows.forInbound(null)).toBe(flow);
    expect(flows.forCaptured(40123, 8080)).toBe(flow);
  });
});
