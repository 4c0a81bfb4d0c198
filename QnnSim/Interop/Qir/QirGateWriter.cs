using System.Collections.Immutable;
using System.Numerics;
using System.Text;
using QnnSim.Circuits;
using QnnSim.Observables;

namespace QnnSim.Interop;

/// <summary>Lowers QnnSim operations with bound angles to base-profile QIR intrinsic calls (see <see cref="Qir.Write"/>).</summary>
internal sealed class QirGateWriter(double[] parameters, double[] inputs)
{
    private readonly StringBuilder _body = new();
    private readonly SortedDictionary<string, string> _declarations = new(StringComparer.Ordinal);

    private static string Q(int q) => $"%Qubit* inttoptr (i64 {q} to %Qubit*)";
    private static string R(int r) => $"%Result* inttoptr (i64 {r} to %Result*)";

    private void Call(string intrinsic, string signature, string args)
    {
        string name = intrinsic.EndsWith("__adj", StringComparison.Ordinal) ? intrinsic : intrinsic + "__body";
        _declarations[name] = $"declare void @__quantum__qis__{name}({signature})";
        _body.Append($"  call void @__quantum__qis__{name}({args})\n");
    }

    private void Gate(string name, int q) => Call(name, "%Qubit*", Q(q));
    private void Gate(string name, int a, int b) => Call(name, "%Qubit*, %Qubit*", $"{Q(a)}, {Q(b)}");
    private void Rotation(string name, double angle, int q) => Call(name, "double, %Qubit*", $"double {Qir.FormatDouble(angle)}, {Q(q)}");
    private void Rotation(string name, double angle, int a, int b) =>
        Call(name, "double, %Qubit*, %Qubit*", $"double {Qir.FormatDouble(angle)}, {Q(a)}, {Q(b)}");
    private void Ccx(int c1, int c2, int t) => Call("ccx", "%Qubit*, %Qubit*, %Qubit*", $"{Q(c1)}, {Q(c2)}, {Q(t)}");

    public void Write(Operation op, int index)
    {
        if (op.Kind == GateKind.Unitary && op.Targets.Length > 1)
        {
            // Quantum Shannon decomposition into CX, Ry, Rz and one-qubit unitaries (size checked up front by Qir.Write).
            foreach (var part in UnitaryDecomposition.Shannon(op)) Write(part, index);
            return;
        }
        double[] a = [.. op.Angles.Select(x => x.Evaluate(parameters, inputs))];
        var negative = op.Controls.Where((c, i) => !op.ControlStates[i]).ToArray();
        foreach (int c in negative) Gate("x", c);
        if (op.Controls.IsEmpty) WriteUncontrolled(op, a, index);
        else WriteControlled(op, a, [.. op.Controls]);
        foreach (int c in negative) Gate("x", c);
    }

    /// <summary>An operation with (positive) controls: everything is reduced to multi-controlled one-qubit unitaries.</summary>
    private void WriteControlled(Operation op, double[] a, int[] controls)
    {
        var t = op.Targets;
        switch (op.Kind)
        {
            case GateKind.Identity: return;
            case GateKind.GlobalPhase:
                // e^{iα} on the subspace where every control is 1 = P(α) on the last control, controlled by the others.
                MultiControlled(controls[..^1], [1, 0, 0, Complex.FromPolarCoordinates(1, a[0])], controls[^1]);
                return;
            case GateKind.Swap:
                // SWAP = CX(t1→t0) · CX(t0→t1) · CX(t1→t0); controlling the middle one suffices.
                Gate("cx", t[1], t[0]);
                MultiControlled([.. controls, t[0]], PauliX, t[1]);
                Gate("cx", t[1], t[0]);
                return;
            case GateKind.Rxx: ControlledPauliRotation(controls, t, [Pauli.X, Pauli.X], a[0]); return;
            case GateKind.Ryy: ControlledPauliRotation(controls, t, [Pauli.Y, Pauli.Y], a[0]); return;
            case GateKind.Rzz: ControlledPauliRotation(controls, t, [Pauli.Z, Pauli.Z], a[0]); return;
            case GateKind.PauliRotation: ControlledPauliRotation(controls, t, op.PauliFactors, a[0]); return;
            case GateKind.ISwap:
            case GateKind.ISwapDg:
                // iSWAP = exp(iπ/4 (XX + YY)) = Rxx(−π/2) Ryy(−π/2) exactly (XX and YY commute).
                double v = op.Kind == GateKind.ISwap ? -Math.PI / 2 : Math.PI / 2;
                ControlledPauliRotation(controls, t, [Pauli.X, Pauli.X], v);
                ControlledPauliRotation(controls, t, [Pauli.Y, Pauli.Y], v);
                return;
        }
        MultiControlled(controls, OneQubitMatrix(op, a), t[0]);
    }

    /// <summary>
    /// C^n exp(−iφP/2) = V† · CX ladder · C^n Rz(φ) · CX ladder · V: the basis change V and the ladder are not
    /// controlled, since when the controls are off they cancel.
    /// </summary>
    private void ControlledPauliRotation(int[] controls, ImmutableArray<int> targets, ImmutableArray<Pauli> factors, double angle)
    {
        for (int k = 0; k < targets.Length; k++)
        {
            if (factors[k] == Pauli.X) Gate("h", targets[k]);
            else if (factors[k] == Pauli.Y) Rotation("rx", Math.PI / 2, targets[k]);
        }
        for (int k = 0; k + 1 < targets.Length; k++) Gate("cx", targets[k], targets[k + 1]);
        MultiControlled(controls, OneQubitMatrix(new Operation(GateKind.Rz, [0], [Angle.Constant(angle)]), [angle]), targets[^1]);
        for (int k = targets.Length - 2; k >= 0; k--) Gate("cx", targets[k], targets[k + 1]);
        for (int k = 0; k < targets.Length; k++)
        {
            if (factors[k] == Pauli.X) Gate("h", targets[k]);
            else if (factors[k] == Pauli.Y) Rotation("rx", -Math.PI / 2, targets[k]);
        }
    }

    private static readonly Complex[] PauliX = [0, 1, 1, 0];
    private static readonly Complex[] PauliY = [0, -Complex.ImaginaryOne, Complex.ImaginaryOne, 0];
    private static readonly Complex[] PauliZ = [1, 0, 0, -1];

    private static bool Is(Complex[] u, Complex[] v) => u[0] == v[0] && u[1] == v[1] && u[2] == v[2] && u[3] == v[3];

    /// <summary>
    /// The one-qubit unitary u (row-major) on <paramref name="target"/>, applied when every control is |1⟩, exactly up
    /// to a global phase of the whole state. No controls: Z-Y-Z Euler rotations. One control: cx/cy/cz, or the
    /// A·X·B·X·C construction with rz(α) on the control (Nielsen &amp; Chuang, Cor. 4.2, Fig. 4.6). Two controls and
    /// X: ccx. Otherwise, with V² = u, Barenco et al., "Elementary gates for quantum computation", Phys. Rev. A 52,
    /// 3457 (1995), Lemma 7.5, in time order: C V(c_n → t), C^{n−1}X(c_1…c_{n−1} → c_n), C V†(c_n → t),
    /// C^{n−1}X(c_1…c_{n−1} → c_n), C^{n−1}V(c_1…c_{n−1} → t), recursively; ancilla-free, O(3^n) gates.
    /// </summary>
    private void MultiControlled(int[] controls, Complex[] u, int target)
    {
        int n = controls.Length;
        if (n == 0)
        {
            var (_, beta0, gamma0, delta0) = EulerZyz(u);
            Rotation("rz", delta0, target); Rotation("ry", gamma0, target); Rotation("rz", beta0, target);
            return;
        }
        if (n == 1)
        {
            int c = controls[0];
            if (Is(u, PauliX)) { Gate("cx", c, target); return; }
            if (Is(u, PauliY)) { Gate("cy", c, target); return; }
            if (Is(u, PauliZ)) { Gate("cz", c, target); return; }
            // Controlled-U = P(α) on the control, then A X B X C on the target with U = e^{iα} Rz(β) Ry(γ) Rz(δ).
            var (alpha, beta, gamma, delta) = EulerZyz(u);
            Rotation("rz", (delta - beta) / 2, target);                             // C
            Gate("cx", c, target);
            Rotation("rz", -(delta + beta) / 2, target); Rotation("ry", -gamma / 2, target); // B
            Gate("cx", c, target);
            Rotation("ry", gamma / 2, target); Rotation("rz", beta, target);         // A
            Rotation("rz", alpha, c);                                                // P(α) up to a global phase
            return;
        }
        if (n == 2 && Is(u, PauliX)) { Ccx(controls[0], controls[1], target); return; }
        var v = UnitaryDecomposition.SquareRoot(u);
        int last = controls[^1];
        int[] rest = controls[..^1];
        MultiControlled([last], v, target);
        MultiControlled(rest, PauliX, last);
        MultiControlled([last], UnitaryDecomposition.Adjoint2(v), target);
        MultiControlled(rest, PauliX, last);
        MultiControlled(rest, v, target);
    }

    private void WriteUncontrolled(Operation op, double[] a, int index)
    {
        int t = op.Targets.IsEmpty ? -1 : op.Targets[0];
        switch (op.Kind)
        {
            case GateKind.Identity: case GateKind.GlobalPhase: break;
            case GateKind.H: Gate("h", t); break;
            case GateKind.X: Gate("x", t); break;
            case GateKind.Y: Gate("y", t); break;
            case GateKind.Z: Gate("z", t); break;
            case GateKind.S: Gate("s", t); break;
            case GateKind.Sdg: Gate("s__adj", t); break;
            case GateKind.T: Gate("t", t); break;
            case GateKind.Tdg: Gate("t__adj", t); break;
            case GateKind.SX: Gate("sx", t); break;
            case GateKind.SXdg: Gate("x", t); Gate("sx", t); break; // SX† = SX³ = X·SX exactly
            case GateKind.Phase: Rotation("rz", a[0], t); break; // P(λ) = e^{iλ/2} Rz(λ)
            case GateKind.U: Rotation("rz", a[2], t); Rotation("ry", a[0], t); Rotation("rz", a[1], t); break;
            case GateKind.Rx: Rotation("rx", a[0], t); break;
            case GateKind.Ry: Rotation("ry", a[0], t); break;
            case GateKind.Rz: Rotation("rz", a[0], t); break;
            case GateKind.Swap: Gate("swap", op.Targets[0], op.Targets[1]); break;
            case GateKind.ISwap: Rotation("rxx", -Math.PI / 2, op.Targets[0], op.Targets[1]); Rotation("ryy", -Math.PI / 2, op.Targets[0], op.Targets[1]); break;
            case GateKind.ISwapDg: Rotation("rxx", Math.PI / 2, op.Targets[0], op.Targets[1]); Rotation("ryy", Math.PI / 2, op.Targets[0], op.Targets[1]); break;
            case GateKind.Rxx: Rotation("rxx", a[0], op.Targets[0], op.Targets[1]); break;
            case GateKind.Ryy: Rotation("ryy", a[0], op.Targets[0], op.Targets[1]); break;
            case GateKind.Rzz: Rotation("rzz", a[0], op.Targets[0], op.Targets[1]); break;
            case GateKind.PauliRotation: WritePauliRotation(op.Targets, op.PauliFactors, a[0]); break;
            case GateKind.Unitary when op.Targets.Length == 1:
                var (_, beta, gamma, delta) = EulerZyz(OneQubitMatrix(op, a));
                Rotation("rz", delta, t); Rotation("ry", gamma, t); Rotation("rz", beta, t);
                break;
            default: throw new System.Diagnostics.UnreachableException($"gate kind {op.Kind}");
        }
    }

    private void WritePauliRotation(ImmutableArray<int> targets, ImmutableArray<Pauli> factors, double angle)
    {
        // exp(−iφP/2) = V† exp(−iφ Z…Z/2) V with V = H for X and Rx(π/2) for Y; the Z-string is a CNOT parity ladder.
        for (int k = 0; k < targets.Length; k++)
        {
            if (factors[k] == Pauli.X) Gate("h", targets[k]);
            else if (factors[k] == Pauli.Y) Rotation("rx", Math.PI / 2, targets[k]);
        }
        for (int k = 0; k + 1 < targets.Length; k++) Gate("cx", targets[k], targets[k + 1]);
        Rotation("rz", angle, targets[^1]);
        for (int k = targets.Length - 2; k >= 0; k--) Gate("cx", targets[k], targets[k + 1]);
        for (int k = 0; k < targets.Length; k++)
        {
            if (factors[k] == Pauli.X) Gate("h", targets[k]);
            else if (factors[k] == Pauli.Y) Rotation("rx", -Math.PI / 2, targets[k]);
        }
    }

    /// <summary>The 2×2 matrix (row-major) of an uncontrolled one-qubit operation with bound angles.</summary>
    internal static Complex[] OneQubitMatrix(Operation op, double[] a)
    {
        double s2 = 1 / Math.Sqrt(2);
        Complex i = Complex.ImaginaryOne;
        switch (op.Kind)
        {
            case GateKind.Identity: return [1, 0, 0, 1];
            case GateKind.H: return [s2, s2, s2, -s2];
            case GateKind.X: return [0, 1, 1, 0];
            case GateKind.Y: return [0, -i, i, 0];
            case GateKind.Z: return [1, 0, 0, -1];
            case GateKind.S: return [1, 0, 0, i];
            case GateKind.Sdg: return [1, 0, 0, -i];
            case GateKind.T: return [1, 0, 0, Complex.FromPolarCoordinates(1, Math.PI / 4)];
            case GateKind.Tdg: return [1, 0, 0, Complex.FromPolarCoordinates(1, -Math.PI / 4)];
            case GateKind.SX: return [(1 + i) / 2, (1 - i) / 2, (1 - i) / 2, (1 + i) / 2];
            case GateKind.SXdg: return [(1 - i) / 2, (1 + i) / 2, (1 + i) / 2, (1 - i) / 2];
            case GateKind.Phase: return [1, 0, 0, Complex.FromPolarCoordinates(1, a[0])];
            case GateKind.Rx:
                {
                    double c = Math.Cos(a[0] / 2), s = Math.Sin(a[0] / 2);
                    return [c, -i * s, -i * s, c];
                }
            case GateKind.Ry:
                {
                    double c = Math.Cos(a[0] / 2), s = Math.Sin(a[0] / 2);
                    return [c, -s, s, c];
                }
            case GateKind.Rz: return [Complex.FromPolarCoordinates(1, -a[0] / 2), 0, 0, Complex.FromPolarCoordinates(1, a[0] / 2)];
            case GateKind.U:
                {
                    double c = Math.Cos(a[0] / 2), s = Math.Sin(a[0] / 2);
                    return [c, -Complex.FromPolarCoordinates(s, a[2]), Complex.FromPolarCoordinates(s, a[1]), Complex.FromPolarCoordinates(c, a[1] + a[2])];
                }
            case GateKind.Unitary: return op.Matrix!.Elements.ToArray();
            default: throw new System.Diagnostics.UnreachableException($"{op.Kind} is not a one-qubit gate");
        }
    }

    /// <summary>U = e^{iα} Rz(β) Ry(γ) Rz(δ) for a 2×2 unitary U (row-major).</summary>
    internal static (double Alpha, double Beta, double Gamma, double Delta) EulerZyz(Complex[] u)
    {
        Complex det = u[0] * u[3] - u[1] * u[2];
        double alpha = det.Phase / 2;
        Complex phase = Complex.FromPolarCoordinates(1, -alpha);
        Complex a = u[0] * phase, b = u[2] * phase; // V = e^{−iα}U = [[a, −b*], [b, a*]] ∈ SU(2)
        double gamma = 2 * Math.Atan2(b.Magnitude, a.Magnitude);
        // a = e^{−i(β+δ)/2} cos(γ/2), b = e^{i(β−δ)/2} sin(γ/2)
        double sum = a.Magnitude > 1e-14 ? -2 * a.Phase : 0;   // β + δ
        double diff = b.Magnitude > 1e-14 ? 2 * b.Phase : 0;   // β − δ
        return (alpha, (sum + diff) / 2, gamma, (sum - diff) / 2);
    }

    public string Render(int qubitCount, ImmutableArray<int> measured)
    {
        var sb = new StringBuilder();
        sb.Append("%Result = type opaque\n%Qubit = type opaque\n\n");
        if (measured.IsEmpty) sb.Append("@0 = internal constant [4 x i8] c\"0_t\\00\"\n");
        else
        {
            sb.Append("@0 = internal constant [4 x i8] c\"0_a\\00\"\n");
            for (int r = 0; r < measured.Length; r++)
            {
                string label = $"{r + 1}_a{r}r";
                sb.Append($"@{r + 1} = internal constant [{label.Length + 1} x i8] c\"{label}\\00\"\n");
            }
        }
        sb.Append("\ndefine i64 @ENTRYPOINT__main() #0 {\nblock_0:\n");
        sb.Append("  call void @__quantum__rt__initialize(i8* null)\n");
        sb.Append(_body);
        for (int r = 0; r < measured.Length; r++)
            sb.Append($"  call void @__quantum__qis__m__body({Q(measured[r])}, {R(r)})\n");
        if (measured.IsEmpty)
            sb.Append("  call void @__quantum__rt__tuple_record_output(i64 0, i8* getelementptr inbounds ([4 x i8], [4 x i8]* @0, i64 0, i64 0))\n");
        else
        {
            sb.Append($"  call void @__quantum__rt__array_record_output(i64 {measured.Length}, i8* getelementptr inbounds ([4 x i8], [4 x i8]* @0, i64 0, i64 0))\n");
            for (int r = 0; r < measured.Length; r++)
            {
                int len = $"{r + 1}_a{r}r".Length + 1;
                sb.Append($"  call void @__quantum__rt__result_record_output({R(r)}, i8* getelementptr inbounds ([{len} x i8], [{len} x i8]* @{r + 1}, i64 0, i64 0))\n");
            }
        }
        sb.Append("  ret i64 0\n}\n\n");
        sb.Append("declare void @__quantum__rt__initialize(i8*)\n\n");
        foreach (var d in _declarations.Values) sb.Append(d).Append("\n\n");
        if (measured.IsEmpty) sb.Append("declare void @__quantum__rt__tuple_record_output(i64, i8*)\n\n");
        else
        {
            sb.Append("declare void @__quantum__rt__array_record_output(i64, i8*)\n\n");
            sb.Append("declare void @__quantum__rt__result_record_output(%Result*, i8*)\n\n");
            sb.Append("declare void @__quantum__qis__m__body(%Qubit*, %Result*) #1\n\n");
        }
        sb.Append($"attributes #0 = {{ \"entry_point\" \"output_labeling_schema\" \"qir_profiles\"=\"base_profile\" \"required_num_qubits\"=\"{qubitCount}\" \"required_num_results\"=\"{measured.Length}\" }}\n");
        sb.Append("attributes #1 = { \"irreversible\" }\n\n");
        sb.Append("; module flags\n\n!llvm.module.flags = !{!0, !1, !2, !3}\n\n");
        sb.Append("!0 = !{i32 1, !\"qir_major_version\", i32 1}\n");
        sb.Append("!1 = !{i32 7, !\"qir_minor_version\", i32 0}\n");
        sb.Append("!2 = !{i32 1, !\"dynamic_qubit_management\", i1 false}\n");
        sb.Append("!3 = !{i32 1, !\"dynamic_result_management\", i1 false}\n");
        return sb.ToString();
    }
}
