// Trainable hardware-efficient ansatz: the circuit of hardware_efficient.qasm with its 16 angles as trainable
// parameters theta[0] … theta[15] (bind them with --bind theta[0]=0.1 … or pass them as ParameterValues).
OPENQASM 3.0;
include "stdgates.inc";

input array[float[64], 16] theta;
qubit[4] q;

// layer 0
ry(theta[0]) q[0];
ry(theta[1]) q[1];
ry(theta[2]) q[2];
ry(theta[3]) q[3];
rz(theta[4]) q[0];
rz(theta[5]) q[1];
rz(theta[6]) q[2];
rz(theta[7]) q[3];
cx q[0], q[1];
cx q[1], q[2];
cx q[2], q[3];
// layer 1
ry(theta[8]) q[0];
ry(theta[9]) q[1];
ry(theta[10]) q[2];
ry(theta[11]) q[3];
rz(theta[12]) q[0];
rz(theta[13]) q[1];
rz(theta[14]) q[2];
rz(theta[15]) q[3];
cx q[0], q[1];
cx q[1], q[2];
cx q[2], q[3];
