// QnnSim driver for the peer comparison: same workloads and timing method as bench_common.hpp.
// usage: QnnSimBench WORKLOAD THREADS [double|single]   (gates24 | hea10x20 | hea16x10 | hea20x10 | grad10x20 | grad16x10 | jac256)
// The precision is the third argument or QNNSIM_PRECISION (default double). Single precision (complex64, program
// "qnnsim-f32") runs the forward workloads (gates24, hea*); gradients are double precision only.
using System.Diagnostics;
using System.Globalization;
using QnnSim.Analysis;
using QnnSim.Circuits;
using QnnSim.Gradients;
using QnnSim.Observables;
using QnnSim.Simulation;
using QnnSim.State;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
if (args.Length < 2) { Console.Error.WriteLine("usage: QnnSimBench WORKLOAD THREADS [double|single]"); return 2; }
string w = args[0];
int threads = int.Parse(args[1]);
string precisionName = args.Length > 2 ? args[2] : Environment.GetEnvironmentVariable("QNNSIM_PRECISION") ?? "double";
Precision precision;
switch (precisionName.ToLowerInvariant())
{
    case "double" or "f64": precision = Precision.Double; break;
    case "single" or "f32": precision = Precision.Single; break;
    default: Console.Error.WriteLine($"unknown precision '{precisionName}': double or single"); return 2;
}
Bench.Prog = precision == Precision.Single ? "qnnsim-f32" : "qnnsim";
var sim = new Simulator(new SimulationOptions { MaxThreads = threads, Precision = precision });   // fusion on (default)
var z0 = PauliString.Z(0);
var z0sum = PauliSum.FromString(z0);

if (w == "gates24")
{
    const int n = 24;
    var state = StateVector.Zero(n, precision);
    var hb = new CircuitBuilder(n);
    for (int q = 0; q < n; q++) hb.H(q);
    sim.Apply(hb.Build(), ParameterValues.None, InputValues.None, state);
    var gates = new (string Label, Circuit C)[]
    {
        ("ry_q0", new CircuitBuilder(n).Ry(0, 0.3).Build()),
        ("ry_q12", new CircuitBuilder(n).Ry(12, 0.3).Build()),
        ("ry_q23", new CircuitBuilder(n).Ry(23, 0.3).Build()),
        ("cx_q0_q23", new CircuitBuilder(n).CX(0, 23).Build()),
    };
    foreach (var (label, c) in gates)
    {
        var r = Bench.Measure(() => sim.Apply(c, ParameterValues.None, InputValues.None, state));
        Bench.Emit($"gates24_{label}", threads, r);
    }
}
else if (Bench.ParseNL(w, "hea", out int n, out int L))
{
    var (circuit, theta) = Bench.Hea(n, L);
    var state = StateVector.Zero(n, precision);
    double z = 0;
    var r = Bench.Measure(() => { state.SetZero(); sim.Apply(circuit, theta, InputValues.None, state); z = sim.Expectation(state, z0); });
    Bench.Emit(w, threads, r, "z0", z, precision == Precision.Single ? "Simulator.Apply, fusion on (default), single precision (complex64)" : "Simulator.Apply, fusion on (default)");
}
else if (precision == Precision.Single) { Console.Error.WriteLine($"workload {w} is double precision only (gradients)"); return 2; }
else if (Bench.ParseNL(w, "grad", out n, out L))
{
    var (circuit, theta) = Bench.Hea(n, L);
    var d = new Differentiator(new GradientOptions { Simulation = new SimulationOptions { MaxThreads = threads }, MaxDegreeOfParallelism = threads });
    var g = new double[circuit.ParameterCount];
    var r = Bench.Measure(() => d.ValueAndGradient(circuit, theta, InputValues.None, z0sum, g));
    Bench.Emit(w, threads, r, "grad_norm", Math.Sqrt(g.Sum(v => v * v)), "Differentiator.ValueAndGradient (adjoint), forward included");
}
else if (w == "jac256")
{
    n = 10; L = 20; const int m = 256;
    var b = new CircuitBuilder(n);
    for (int q = 0; q < n; q++) b.Ry(q, b.Input($"x{q}"));
    var (ansatz, theta) = Bench.Hea(n, L);
    b.Append(ansatz);
    var circuit = b.Build();
    var samples = Enumerable.Range(0, m).Select(i => InputValues.Of(Enumerable.Range(0, n).Select(q => Math.PI * ((0.618034 * (i * n + q + 1)) % 1.0)).ToArray())).ToArray();
    var d = new Differentiator(new GradientOptions { Simulation = new SimulationOptions { MaxThreads = threads }, MaxDegreeOfParallelism = threads });
    JacobianResult? J = null;
    var r = Bench.Measure(() => J = d.Jacobian(circuit, theta, samples, [z0sum]));
    Bench.Emit(w, threads, r, "jac_fro", Math.Sqrt(J!.Data.Sum(v => v * v)), "Differentiator.Jacobian, threads over samples");
    TangentKernel? K = null;
    var rk = Bench.Measure(() => K = TangentKernel.FromJacobian(J!.Data, J.Rows, J.Columns));
    Bench.Emit("ntk256", threads, rk, "kernel_fro", K!.FrobeniusNorm, "TangentKernel.FromJacobian (K = J J^T, 256x256 from 256x400)");
}
else { Console.Error.WriteLine($"unknown workload {w}"); return 2; }
return 0;

static class Bench
{
    public static string Prog = "qnnsim";

    public static double AnsatzAngle(int k) => 0.3 + 0.7 * Math.Sin(1 + 0.37 * k);

    public static (Circuit, ParameterValues) Hea(int n, int layers)
    {
        var b = new CircuitBuilder(n);
        int k = 0;
        for (int l = 0; l < layers; l++)
        {
            for (int q = 0; q < n; q++) b.Ry(q, b.Parameter($"t{k++}"));
            for (int q = 0; q < n; q++) b.Rz(q, b.Parameter($"t{k++}"));
            for (int q = 0; q + 1 < n; q++) b.CX(q, q + 1);
        }
        var theta = new double[k];
        for (int j = 0; j < k; j++) theta[j] = AnsatzAngle(j);
        return (b.Build(), ParameterValues.Of(theta));
    }

    public static bool ParseNL(string w, string prefix, out int n, out int l)
    {
        n = l = 0;
        if (!w.StartsWith(prefix, StringComparison.Ordinal)) return false;
        var parts = w[prefix.Length..].Split('x');
        return parts.Length == 2 && int.TryParse(parts[0], out n) && int.TryParse(parts[1], out l);
    }

    static double Now() => Stopwatch.GetTimestamp() / (double)Stopwatch.Frequency;

    public static (double Median, double Min, long Inner) Measure(Action once, double warmup = 0.3, double repTarget = 0.02, int reps = 7)
    {
        double t0 = Now();
        long calls = 0;
        while (Now() - t0 < warmup || calls < 2) { once(); calls++; }
        double per = (Now() - t0) / calls;
        long inner = Math.Max(1L, (long)Math.Ceiling(repTarget / Math.Max(per, 1e-9)));
        for (;;)
        {
            double s = Now();
            for (long i = 0; i < inner; i++) once();
            double dt = Now() - s;
            if (dt >= repTarget) break;
            inner = Math.Max(inner + 1, (long)Math.Ceiling(inner * repTarget * 1.2 / Math.Max(dt, 1e-9)));
        }
        var t = new double[reps];
        for (int r = 0; r < reps; r++)
        {
            double s = Now();
            for (long i = 0; i < inner; i++) once();
            t[r] = (Now() - s) / inner;
        }
        Array.Sort(t);
        return (t[reps / 2], t[0], inner);
    }

    public static void Emit(string workload, int threads, (double Median, double Min, long Inner) r, string? checkName = null, double check = double.NaN, string note = "")
    {
        var sb = new System.Text.StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"{{\"prog\":\"{Prog}\",\"workload\":\"{workload}\",\"threads\":{threads},\"median_s\":{r.Median:E9},\"min_s\":{r.Min:E9},\"inner\":{r.Inner}");
        if (checkName != null) sb.Append(CultureInfo.InvariantCulture, $",\"{checkName}\":{check:R}");
        if (note.Length > 0) sb.Append($",\"note\":\"{note}\"");
        sb.Append('}');
        Console.WriteLine(sb.ToString());
    }
}
