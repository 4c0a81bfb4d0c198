// An OpenQASM 2 file as older tools (Qiskit's qasm2 exporter) write it: qreg/creg, qelib1.inc gates,
// measurement of the whole register at the end.
OPENQASM 2.0;
include "qelib1.inc";
qreg q[3];
creg c[3];
u3(0.3,0.2,0.1) q[0];
u2(pi/4,-pi/2) q[1];
u1(1.5e-1) q[2];
h q;
cx q[0],q[1];
cu1(pi/8) q[1],q[2];
cu3(0.4,0.5,0.6) q[2],q[0];
U(0.1,0.2,0.3) q[1];
CX q[1],q[2];
barrier q;
measure q -> c;
