using QnnSim.Circuits;

namespace QnnSim.Interop.OpenQasmSyntax;

/// <summary>
/// The built-in gate library: OpenQASM 3's stdgates.inc, the OpenQASM 2 qelib1.inc gates that QNN files use, and
/// the built-ins U and gphase, each mapped exactly (global phase included) onto QnnSim operations.
/// </summary>
/// <remarks>
/// Global phases follow stdgates.inc literally: <c>u2(φ, λ) = e^{−i(φ+λ)/2} U(π/2, φ, λ)</c> and
/// <c>u3(θ, φ, λ) = e^{−i(φ+λ)/2} U(θ, φ, λ)</c>, <c>rz(λ) = e^{−iλ/2} U(0, 0, λ)</c> = Rz(λ); <c>u</c> (Qiskit's
/// UGate) is U itself; <c>cu(θ, φ, λ, γ)</c> is <c>p(γ) c; ctrl @ U(θ, φ, λ) c, t;</c>; qelib1's <c>cu1</c> is CP and
/// <c>cu3</c> is <c>ctrl @ U(θ, φ, λ)</c> (Qiskit's CU3Gate matrix). The phases only matter under <c>ctrl @</c>.
/// </remarks>
internal static class OpenQasmGates
{
    /// <summary>A built-in gate: parameter count, qubit count and its expansion into operations.</summary>
    internal sealed record Builtin(string Name, int ParameterCount, int QubitCount, Func<Angle[], int[], IEnumerable<Operation>> Expand);

    private static Operation G(GateKind k, int t, params Angle[] a) => new(k, [t], [.. a]);
    private static Operation C(GateKind k, int c, int t, params Angle[] a) => new(k, [t], [.. a], [c]);
    private static Operation Phase(Angle a) => new(GateKind.GlobalPhase, [], [a]);

    private static readonly Angle HalfPi = Angle.Constant(Math.PI / 2);

    /// <summary>Every built-in gate by name.</summary>
    public static IReadOnlyDictionary<string, Builtin> All { get; } = Create();

    private static Dictionary<string, Builtin> Create()
    {
        var d = new Dictionary<string, Builtin>();
        void Add(string name, int p, int q, Func<Angle[], int[], IEnumerable<Operation>> f) => d[name] = new Builtin(name, p, q, f);
        void Fixed1(string name, GateKind k) => Add(name, 0, 1, (a, q) => [G(k, q[0])]);

        Add("U", 3, 1, (a, q) => [G(GateKind.U, q[0], a[0], a[1], a[2])]);
        Add("u", 3, 1, (a, q) => [G(GateKind.U, q[0], a[0], a[1], a[2])]);
        Add("u3", 3, 1, (a, q) => [Phase(-a[1] / 2.0 - a[2] / 2.0), G(GateKind.U, q[0], a[0], a[1], a[2])]);
        Add("u2", 2, 1, (a, q) => [Phase(-a[0] / 2.0 - a[1] / 2.0), G(GateKind.U, q[0], HalfPi, a[0], a[1])]);
        Add("u1", 1, 1, (a, q) => [G(GateKind.Phase, q[0], a[0])]);
        Add("p", 1, 1, (a, q) => [G(GateKind.Phase, q[0], a[0])]);
        Add("phase", 1, 1, (a, q) => [G(GateKind.Phase, q[0], a[0])]);
        Fixed1("id", GateKind.Identity);
        Fixed1("x", GateKind.X);
        Fixed1("y", GateKind.Y);
        Fixed1("z", GateKind.Z);
        Fixed1("h", GateKind.H);
        Fixed1("s", GateKind.S);
        Fixed1("sdg", GateKind.Sdg);
        Fixed1("t", GateKind.T);
        Fixed1("tdg", GateKind.Tdg);
        Fixed1("sx", GateKind.SX);
        Fixed1("sxdg", GateKind.SXdg);
        Add("rx", 1, 1, (a, q) => [G(GateKind.Rx, q[0], a[0])]);
        Add("ry", 1, 1, (a, q) => [G(GateKind.Ry, q[0], a[0])]);
        Add("rz", 1, 1, (a, q) => [G(GateKind.Rz, q[0], a[0])]);
        Add("cx", 0, 2, (a, q) => [C(GateKind.X, q[0], q[1])]);
        Add("CX", 0, 2, (a, q) => [C(GateKind.X, q[0], q[1])]);
        Add("cy", 0, 2, (a, q) => [C(GateKind.Y, q[0], q[1])]);
        Add("cz", 0, 2, (a, q) => [C(GateKind.Z, q[0], q[1])]);
        Add("ch", 0, 2, (a, q) => [C(GateKind.H, q[0], q[1])]);
        Add("csx", 0, 2, (a, q) => [C(GateKind.SX, q[0], q[1])]);
        Add("cp", 1, 2, (a, q) => [C(GateKind.Phase, q[0], q[1], a[0])]);
        Add("cphase", 1, 2, (a, q) => [C(GateKind.Phase, q[0], q[1], a[0])]);
        Add("cu1", 1, 2, (a, q) => [C(GateKind.Phase, q[0], q[1], a[0])]);
        Add("crx", 1, 2, (a, q) => [C(GateKind.Rx, q[0], q[1], a[0])]);
        Add("cry", 1, 2, (a, q) => [C(GateKind.Ry, q[0], q[1], a[0])]);
        Add("crz", 1, 2, (a, q) => [C(GateKind.Rz, q[0], q[1], a[0])]);
        Add("cu", 4, 2, (a, q) => [G(GateKind.Phase, q[0], a[3]), C(GateKind.U, q[0], q[1], a[0], a[1], a[2])]);
        Add("cu3", 3, 2, (a, q) => [C(GateKind.U, q[0], q[1], a[0], a[1], a[2])]);
        Add("swap", 0, 2, (a, q) => [new Operation(GateKind.Swap, [q[0], q[1]])]);
        Add("iswap", 0, 2, (a, q) => [new Operation(GateKind.ISwap, [q[0], q[1]])]);
        Add("rxx", 1, 2, (a, q) => [new Operation(GateKind.Rxx, [q[0], q[1]], [a[0]])]);
        Add("ryy", 1, 2, (a, q) => [new Operation(GateKind.Ryy, [q[0], q[1]], [a[0]])]);
        Add("rzz", 1, 2, (a, q) => [new Operation(GateKind.Rzz, [q[0], q[1]], [a[0]])]);
        Add("ccx", 0, 3, (a, q) => [new Operation(GateKind.X, [q[2]], controls: [q[0], q[1]])]);
        Add("c3x", 0, 4, (a, q) => [new Operation(GateKind.X, [q[3]], controls: [q[0], q[1], q[2]])]);
        Add("cswap", 0, 3, (a, q) => [new Operation(GateKind.Swap, [q[1], q[2]], controls: [q[0]])]);
        Add("gphase", 1, 0, (a, q) => [Phase(a[0])]);
        return d;
    }
}
