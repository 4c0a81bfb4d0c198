// A GHZ state with a trainable phase, measured at the end in the order c[0] <- q[2], c[1] <- q[0], c[2] <- q[1].
// The measurements become the circuit's readout (Circuit.MeasuredQubits = [2, 0, 1]).
OPENQASM 3.0;
include "stdgates.inc";

input float[64] phi;
qubit[3] q;
bit[3] c;

h q[0];
cx q[0], q[1];
cx q[1], q[2];
rz(phi) q[1];
h q[1];

c[1] = measure q[0];
measure q[1] -> c[2];
c[0] = measure q[2];
