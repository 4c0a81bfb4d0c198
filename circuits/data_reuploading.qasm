// Data re-uploading classifier (Pérez-Salinas et al., Quantum 4, 226 (2020)) on 2 qubits: three layers, each
// encoding the two features x[0], x[1] with scaled rotations, then a trainable rotation per qubit and an
// entangling CZ. The pragma makes x a data input; w and b stay trainable parameters.
OPENQASM 3.0;
include "stdgates.inc";
#pragma qnnsim inputs x

input array[float[64], 2] x;      // features (data inputs)
input array[float[64], 6] w;      // feature weights, one per layer and feature
input array[float[64], 12] b;     // trainable rotation angles

qubit[2] q;

// A general trainable rotation Rz(gamma) Ry(beta) Rz(alpha).
gate rot(alpha, beta, gamma) t {
  rz(alpha) t;
  ry(beta) t;
  rz(gamma) t;
}

// layer 0
ry(w[0] * x[0]) q[0];
ry(w[1] * x[1]) q[1];
rot(b[0], b[1], b[2]) q[0];
rot(b[3], b[4], b[5]) q[1];
cz q[0], q[1];
// layer 1
ry(w[2] * x[0]) q[0];
ry(w[3] * x[1]) q[1];
rot(b[6], b[7], b[8]) q[0];
rot(b[9], b[10], b[11]) q[1];
cz q[0], q[1];
// layer 2: re-upload once more with a fixed offset
ry(w[4] * x[0] + pi/4) q[0];
ry(w[5] * x[1] - pi/4) q[1];
