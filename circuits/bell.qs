// Bell pair, the hardware-style Q# sample: allocate qubits, apply gates, measure them all at the end.
// QnnSim imports Main as its unitary part (H, CNOT) plus the readout (both qubits):
//   qnnsim run circuits/bell.qs
namespace Bell {
    /// Prepares (|00⟩ + |11⟩)/√2 on two qubits.
    operation Prepare(qs : Qubit[]) : Unit is Adj + Ctl {
        H(qs[0]);
        CNOT(qs[0], qs[1]);
    }

    @EntryPoint()
    operation Main() : Result[] {
        use qs = Qubit[2];
        Prepare(qs);
        MResetEachZ(qs)
    }
}
