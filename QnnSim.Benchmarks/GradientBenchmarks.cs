using BenchmarkDotNet.Attributes;
using QnnSim.Circuits;
using QnnSim.Gradients;
using QnnSim.Observables;
using QnnSim.Randomness;
using QnnSim.Simulation;

namespace QnnSim.Benchmarks;

/// <summary>
/// Gradient suites of issue 3: the adjoint gradient of ⟨Z0⟩ for the n = 10, L = 20 hardware-efficient ansatz
/// (400 parameters, forward pass included, one thread), and a 256-sample × 400-parameter Jacobian on 1 and 2 threads.
/// Run: <c>dotnet run -c Release --project QnnSim.Benchmarks -- --filter '*GradientBenchmarks*'</c>.
/// </summary>
[MemoryDiagnoser]
public class GradientBenchmarks
{
    private Circuit _ansatz = null!;
    private Circuit _encoded = null!;
    private ParameterValues _theta;
    private InputValues[] _samples = [];
    private double[] _gradient = [];
    private Differentiator _oneThread = null!;
    private Differentiator _twoThreads = null!;
    private Differentiator _shift = null!;
    private static readonly PauliSum Z0 = PauliString.Z(0);

    /// <summary>Qubits n.</summary>
    [Params(10)]
    public int Qubits { get; set; }

    /// <summary>Layers L.</summary>
    [Params(20)]
    public int Layers { get; set; }

    /// <summary>L layers of Ry and Rz on every qubit followed by a CX ladder i → i+1 (2·n·L parameters).</summary>
    public static Circuit HardwareEfficient(int qubits, int layers, bool dataLayer = false)
    {
        var b = new CircuitBuilder(qubits);
        if (dataLayer)
        {
            var x = b.Inputs("x", qubits);
            for (int q = 0; q < qubits; q++) b.Ry(q, x[q]);
        }
        var t = b.Parameters("t", 2 * qubits * layers);
        int k = 0;
        for (int l = 0; l < layers; l++)
        {
            for (int q = 0; q < qubits; q++) b.Ry(q, t[k++]);
            for (int q = 0; q < qubits; q++) b.Rz(q, t[k++]);
            for (int q = 0; q + 1 < qubits; q++) b.CX(q, q + 1);
        }
        return b.Build();
    }

    /// <summary>Builds the circuits, θ ~ U[0, 2π) and 256 samples x ~ U[0, π).</summary>
    [GlobalSetup]
    public void Setup()
    {
        _ansatz = HardwareEfficient(Qubits, Layers);
        _encoded = HardwareEfficient(Qubits, Layers, dataLayer: true);
        var rng = new SeededRandom(1);
        _theta = ParameterValues.Of([.. Enumerable.Range(0, _ansatz.ParameterCount).Select(_ => rng.NextDouble(0, 2 * Math.PI))]);
        _samples = [.. Enumerable.Range(0, 256).Select(_ => InputValues.Of([.. Enumerable.Range(0, Qubits).Select(_ => rng.NextDouble(0, Math.PI))]))];
        _gradient = new double[_ansatz.ParameterCount];
        var single = SimulationOptions.Default with { MaxThreads = 1 };
        _oneThread = new Differentiator(new GradientOptions { Simulation = single, MaxDegreeOfParallelism = 1 });
        _twoThreads = new Differentiator(new GradientOptions { Simulation = single, MaxDegreeOfParallelism = 2 });
        _shift = new Differentiator(new GradientOptions { Method = GradientMethod.ParameterShift, Simulation = single, MaxDegreeOfParallelism = 1 });
    }

    /// <summary>Adjoint gradient of ⟨Z0⟩, one thread (target ≤ 1.0 ms).</summary>
    [Benchmark(Baseline = true)]
    public double AdjointGradient() => _oneThread.ValueAndGradient(_ansatz, _theta, InputValues.None, Z0, _gradient);

    /// <summary>Parameter-shift gradient of ⟨Z0⟩, one thread (800 forward passes), for scale.</summary>
    [Benchmark]
    public double ParameterShiftGradient() => _shift.ValueAndGradient(_ansatz, _theta, InputValues.None, Z0, _gradient);

    /// <summary>Jacobian of 256 samples × 400 parameters on one thread.</summary>
    [Benchmark]
    public JacobianResult Jacobian256OneThread() => _oneThread.Jacobian(_encoded, _theta, _samples, [Z0]);

    /// <summary>Jacobian of 256 samples × 400 parameters on two threads (≥ 1.7× the one-thread rate on a quiet machine).</summary>
    [Benchmark]
    public JacobianResult Jacobian256TwoThreads() => _twoThreads.Jacobian(_encoded, _theta, _samples, [Z0]);
}
