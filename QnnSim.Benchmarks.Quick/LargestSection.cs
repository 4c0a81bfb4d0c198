using System.Diagnostics;
using QnnSim.Circuits;
using QnnSim.Gradients;
using QnnSim.Observables;
using QnnSim.Simulation;
using QnnSim.State;

namespace QnnSim.Benchmarks;

/// <summary>
/// Largest problems on this machine (issue 16): the largest n whose forward pass in double precision (one state
/// vector, 16·2^n bytes) and in single precision (8·2^n bytes), and whose adjoint gradient (ψ and one co-state, 2·16·2^n bytes) fit in the memory available
/// now with <see cref="MarginBytes"/> left for everything else, each run once on a short circuit (Ry, CX across the
/// state, Rz, Ry in the middle, CX back: every kernel kind, five passes) with ⟨Z0⟩; and the memory check's refusal for
/// n + 1, as its message names it. Opt-in (`--section largest`): it allocates up to 16 GiB, so run it only when the
/// machine's memory is otherwise idle.
/// </summary>
internal sealed class LargestSection : IBenchSection
{
    /// <summary>Memory left for the rest of the machine (other processes, the runtime, page cache).</summary>
    public const long MarginBytes = 4L << 30;

    public string Name => "largest";
    public int Order => 90;

    private static (Circuit, ParameterValues) Short(int n)
    {
        var b = new CircuitBuilder(n);
        b.Ry(0, b.Parameter("a")).CX(0, n - 1).Rz(n - 1, b.Parameter("b")).Ry(n / 2, b.Parameter("c")).CX(n / 2, 0);
        return (b.Build(), ParameterValues.Of(0.1, 0.2, 0.3));
    }

    /// <summary>The largest n ≤ <see cref="Circuit.MaxQubits"/> with vectors·(bytes of 2^n amplitudes) + margin ≤ available (0 if none from 20 up).</summary>
    private static int Largest(int vectors, long available, Precision precision = Precision.Double)
    {
        for (int n = Circuit.MaxQubits; n >= 20; n--)
            if (vectors * StateVector.RequiredBytes(n, precision) + MarginBytes <= available) return n;
        return 0;
    }

    /// <summary>What the single-precision memory check says of n qubits with the margin kept back.</summary>
    private static string SingleRefusal(int n, long available)
    {
        if (n > Circuit.MaxQubits) return $"n = {n} is above Circuit.MaxQubits ({Circuit.MaxQubits})";
        try
        {
            StateVector.EnsureFits(n, available - MarginBytes, Precision.Single);
            return $"n = {n} would fit";
        }
        catch (NotEnoughMemoryException e) { return $"memory check for n + 1 (with the {MarginBytes >> 30} GiB margin kept back): " + e.Message; }
    }

    private static string Refusal(int n, int vectors, string what)
    {
        if (n > Circuit.MaxQubits) return $"n = {n} is above Circuit.MaxQubits ({Circuit.MaxQubits})";
        long need = vectors * StateVector.RequiredBytes(n);
        try
        {
            MemoryBudget.EnsureAvailable(need, what);
            return $"n = {n} ({need / (double)(1L << 30):F0} GiB) passes the memory check now but would leave less than {MarginBytes >> 30} GiB to the rest of the machine";
        }
        catch (NotEnoughMemoryException e) { return "memory check for n + 1: " + e.Message; }
    }

    /// <summary>
    /// Returns the memory of dropped states to the operating system: a blocking, compacting, aggressive full
    /// collection. A plain collection frees a 16 GiB state for the GC but may keep its pages committed for reuse, and
    /// the next pass's memory query (MemAvailable) would then still count them as used: that is how the single-precision
    /// pass once saw 6.7 GiB instead of 22 GiB and stopped at n = 28.
    /// </summary>
    internal static void ReleaseMemory()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
    }

    /// <summary>One forward pass of the short circuit on a fresh n-qubit state: (⟨Z0⟩, run seconds, allocation seconds).
    /// The state lives only inside this call, so it is garbage when it returns.</summary>
    private static (double Z, double Seconds, double AllocationSeconds) Forward(int n, Precision precision, SimulationOptions options)
    {
        var (circuit, theta) = Short(n);
        var sim = new Simulator(options with { Precision = precision });
        long t0 = Stopwatch.GetTimestamp();
        var state = StateVector.Zero(n, precision);
        double alloc = Stopwatch.GetElapsedTime(t0).TotalSeconds;
        t0 = Stopwatch.GetTimestamp();
        sim.Apply(circuit, theta, InputValues.None, state);
        double z = sim.Expectation(state, PauliString.Z(0));
        return (z, Stopwatch.GetElapsedTime(t0).TotalSeconds, alloc);
    }

    public IEnumerable<BenchRow> Run(BenchContext context)
    {
        var options = context.Options;

        // Forward pass, in double (16·2^n bytes) and then in single precision (complex64, 8·2^n bytes). Each state is
        // dropped and its memory returned before the next figure is asked for and before the row is handed out, so the
        // single-precision pass sees the memory the double state held (n = 30 in single needs 8 GiB + the margin).
        foreach (var precision in new[] { Precision.Double, Precision.Single })
        {
            ReleaseMemory();
            long available = MemoryBudget.AvailableBytes();
            int n = Largest(1, available, precision);
            string refusal = precision == Precision.Double
                ? Refusal(n + 1, 1, $"a {n + 1}-qubit state vector")
                : SingleRefusal(n + 1, available);
            if (n == 0) yield break;
            var (z, t, alloc) = Forward(n, precision, options);
            ReleaseMemory();
            string which = precision == Precision.Double ? "double" : "single";
            yield return new BenchRow(Name, $"largest forward pass, {which} precision: n = {n} ({StateVector.RequiredBytes(n, precision) >> 30} GiB state; " +
                $"{available / (double)(1L << 30):F1} GiB available before, margin {MarginBytes >> 30} GiB), 5 gates + <Z0> = {z:F6} in {t:F2} s " +
                $"(allocation {alloc:F2} s); {refusal}", n, options.MaxThreads, t, t * 1e9 / 6 / (1L << n), null, null);
        }

        // Adjoint gradient (ψ and one co-state; double precision only).
        {
            long available = MemoryBudget.AvailableBytes();
            int n = Largest(2, available);
            string refusal = Refusal(n + 1, 2, $"the adjoint-gradient workspace of a {n + 1}-qubit circuit (2 state vectors of {n + 1} qubits)");
            if (n == 0) yield break;
            var (circuit, theta) = Short(n);
            var d = new Differentiator(new GradientOptions { Simulation = options });
            var g = new double[circuit.ParameterCount];
            long t0 = Stopwatch.GetTimestamp();
            double value = d.ValueAndGradient(circuit, theta, InputValues.None, PauliSum.FromString(PauliString.Z(0)), g);
            double t = Stopwatch.GetElapsedTime(t0).TotalSeconds;
            ReleaseMemory();
            yield return new BenchRow(Name, $"largest adjoint gradient, double precision: n = {n} (2 x {StateVector.RequiredBytes(n) >> 30} GiB; " +
                $"{available / (double)(1L << 30):F1} GiB available before, margin {MarginBytes >> 30} GiB), value {value:F6}, gradient " +
                $"[{string.Join(", ", g.Select(v => v.ToString("F6", System.Globalization.CultureInfo.InvariantCulture)))}] in {t:F2} s; {refusal}",
                n, options.MaxThreads, t, double.NaN, null, null);
        }
    }
}
