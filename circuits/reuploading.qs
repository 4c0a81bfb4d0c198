// Data re-uploading classifier (Pérez-Salinas et al., Quantum 4, 226 (2020)): the inputs x are encoded again
// before every trainable layer. Signature (x : Double[], θ : Double[], qs : Qubit[]), θ has 3·n·L entries for
// L = 2 layers. Import with the array lengths, e.g. 2 qubits and 2 inputs:
//   qnnsim run circuits/reuploading.qs --entry Reuploading --qubits 2 --inputs 2 --param-count 12
namespace Reuploading {
    import Std.Math.*;

    operation Reuploading(x : Double[], theta : Double[], qs : Qubit[]) : Unit is Adj + Ctl {
        let n = Length(qs);
        for layer in 0..1 {
            for q in 0..n - 1 {
                // Encoding: angles affine in one input each.
                Ry(PI() * x[q % Length(x)], qs[q]);
                // Trainable: Rz, a scaled Ry with an offset, and a phase.
                Rz(theta[3 * (layer * n + q)], qs[q]);
                Ry(0.5 * theta[3 * (layer * n + q) + 1] + 0.1, qs[q]);
                R1(theta[3 * (layer * n + q) + 2], qs[q]);
            }
            for q in 0..n - 2 {
                CZ(qs[q], qs[q + 1]);
                Controlled Rx([qs[q + 1]], (theta[3 * (layer * n + q)], qs[q]));
            }
        }
    }
}
