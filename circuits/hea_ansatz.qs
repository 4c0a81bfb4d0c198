// A trainable hardware-efficient ansatz: layers of Ry·Rz on every qubit followed by a ring of CNOTs.
// θ has 2·n·L entries for n qubits and L layers. Import it as a parameterised circuit, e.g. 3 qubits, 2 layers:
//   qnnsim run circuits/hea_ansatz.qs --entry HeaAnsatz --qubits 3 --param-count 12
namespace Hea {
    operation HeaAnsatz(theta : Double[], qs : Qubit[]) : Unit is Adj + Ctl {
        let n = Length(qs);
        let layers = Length(theta) / (2 * n);
        for layer in 0..layers - 1 {
            for q in 0..n - 1 {
                Ry(theta[2 * (layer * n + q)], qs[q]);
                Rz(theta[2 * (layer * n + q) + 1], qs[q]);
            }
            if n == 2 {
                CNOT(qs[0], qs[1]);
            } elif n > 2 {
                for q in 0..n - 1 {
                    CNOT(qs[q], qs[(q + 1) % n]);
                }
            }
        }
    }
}
