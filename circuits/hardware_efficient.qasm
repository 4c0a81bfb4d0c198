// Hardware-efficient ansatz on 4 qubits: L = 2 layers of Ry and Rz on every qubit and a CX ladder.
// Fixed angles theta_k = 0.3 + 0.7*sin(1 + 0.37k), k = 0, 1, ... (Ry angles first, then Rz, layer by layer),
// so `qnnsim run circuits/hardware_efficient.qasm` needs no --bind. hea_trainable.qasm is the same circuit
// with the angles as trainable inputs.
OPENQASM 3.0;
include "stdgates.inc";

qubit[4] q;

// layer 0
ry(0.3 + 0.7*sin(1 + 0.37*0)) q[0];
ry(0.3 + 0.7*sin(1 + 0.37*1)) q[1];
ry(0.3 + 0.7*sin(1 + 0.37*2)) q[2];
ry(0.3 + 0.7*sin(1 + 0.37*3)) q[3];
rz(0.3 + 0.7*sin(1 + 0.37*4)) q[0];
rz(0.3 + 0.7*sin(1 + 0.37*5)) q[1];
rz(0.3 + 0.7*sin(1 + 0.37*6)) q[2];
rz(0.3 + 0.7*sin(1 + 0.37*7)) q[3];
cx q[0], q[1];
cx q[1], q[2];
cx q[2], q[3];
// layer 1
ry(0.3 + 0.7*sin(1 + 0.37*8)) q[0];
ry(0.3 + 0.7*sin(1 + 0.37*9)) q[1];
ry(0.3 + 0.7*sin(1 + 0.37*10)) q[2];
ry(0.3 + 0.7*sin(1 + 0.37*11)) q[3];
rz(0.3 + 0.7*sin(1 + 0.37*12)) q[0];
rz(0.3 + 0.7*sin(1 + 0.37*13)) q[1];
rz(0.3 + 0.7*sin(1 + 0.37*14)) q[2];
rz(0.3 + 0.7*sin(1 + 0.37*15)) q[3];
cx q[0], q[1];
cx q[1], q[2];
cx q[2], q[3];
