// Every gate QnnSim reads from the QDK's base-profile QIR, in one hardware-style program on four qubits.
//   qnnsim run circuits/gates.qs
namespace Gates {
    import Std.Math.*;

    /// One of each intrinsic, plus gates the QDK decomposes (R1, Controlled Ry, Exp, CCNOT, Adjoint SX).
    operation Prepare(qs : Qubit[]) : Unit is Adj + Ctl {
        H(qs[0]);
        X(qs[1]);
        Y(qs[2]);
        Z(qs[3]);
        H(qs[3]);
        S(qs[0]);
        Adjoint S(qs[1]);
        T(qs[2]);
        Adjoint T(qs[3]);
        SX(qs[1]);
        Adjoint SX(qs[2]);
        Rx(0.3, qs[0]);
        Ry(-1.1, qs[1]);
        Rz(2.5, qs[2]);
        Rxx(0.7, qs[0], qs[1]);
        Ryy(-0.4, qs[1], qs[2]);
        Rzz(1.3, qs[2], qs[3]);
        CNOT(qs[0], qs[1]);
        CY(qs[1], qs[2]);
        CZ(qs[2], qs[3]);
        CCNOT(qs[0], qs[1], qs[3]);
        SWAP(qs[0], qs[2]);
        R1(PI() / 3.0, qs[1]);
        Controlled Ry([qs[3]], (-0.9, qs[0]));
        Exp([PauliX, PauliY], 0.25, [qs[1], qs[3]]);
        Rx(PI() / 5.0, qs[3]);
    }

    @EntryPoint()
    operation Main() : Result[] {
        use qs = Qubit[4];
        Prepare(qs);
        MResetEachZ(qs)
    }
}
