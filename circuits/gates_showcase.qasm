/* Every standard gate of stdgates.inc, the modifiers, a user gate and broadcasting.
   Used by the OpenQASM tests as a reference for the reader. */
OPENQASM 3;
include "stdgates.inc";

const float[64] half_turn = π;
input float[64] t0;
input angle t1;

qubit[3] q;
qubit anc;

gate entangle(a) u, v {
  h u;
  ctrl @ rz(a) u, v;
  gphase(-a / 4);
}

// one-qubit gates
U(0.1, 0.2, 0.3) q[0];
u(0.3, 0.2, 0.1) q[1];
u1(0.4) q[2];
u2(0.5, 0.6) q[0];
u3(0.7, 0.8, 0.9) q[1];
p(0.25) q[2];
phase(-0.25) q[0];
id q[1];
x q[0]; y q[1]; z q[2];
h q;
s q[0]; sdg q[1]; t q[2]; tdg q[0];
sx q[1]; sxdg q[2];
rx(t0) q[0];
ry(2 * t1 + 0.5) q[1];
rz(half_turn / 3) q[2];
gphase(tau / 8);

// two- and three-qubit gates
cx q[0], q[1];
CX q[1], q[2];
cy q[2], q[0];
cz q[0], anc;
ch q[1], anc;
cp(0.3) q[0], q[2];
cphase(0.35) q[2], q[1];
crx(t0) q[0], q[1];
cry(-t1) q[1], q[2];
crz(sin(t0) * t1) q[2], q[0];
cu(0.1, 0.2, 0.3, 0.4) q[0], anc;
swap q[0], q[2];
iswap q[1], anc;
rxx(0.6) q[0], q[1];
ryy(0.7) q[1], q[2];
rzz(0.8) q[2], anc;
ccx q[0], q[1], q[2];
cswap anc, q[0], q[1];

// modifiers
ctrl @ ry(0.9) q[0], q[1];
negctrl @ x q[1], q[2];
ctrl(2) @ h q[0], q[1], anc;
inv @ s q[0];
pow(2) @ t q[1];
pow(-3) @ sx q[2];
inv @ ctrl @ negctrl @ rz(t0) q[0], q[1], q[2];
ctrl @ gphase(0.2) anc;
entangle(t1) q[0], q[2];
inv @ entangle(0.7) q[1], anc;
ctrl @ entangle(e) anc, q[0], q[1];
pow(2) @ entangle(1e-1) q[2], q[0];
barrier q, anc;
