using System.Numerics;
using BenchmarkDotNet.Attributes;
using QnnSim.Circuits;
using QnnSim.Kernels;
using QnnSim.Observables;
using QnnSim.Simulation;
using QnnSim.State;

namespace QnnSim.Benchmarks;

/// <summary>BenchmarkDotNet suite: one gate on a 2^n state for every SIMD path (single thread).</summary>
[MemoryDiagnoser]
[ShortRunJob]
public class GateBenchmarks
{
    private Complex[] _data = [];
    private Primitive _ry0 = null!, _ryMid = null!, _ryTop = null!, _cx = null!;
    private SimulationOptions _options = SimulationOptions.Default;

    /// <summary>Qubits.</summary>
    [Params(10, 18, 24)]
    public int Qubits { get; set; }

    /// <summary>SIMD path.</summary>
    [Params(KernelPath.Scalar, KernelPath.Vector256, KernelPath.Vector512)]
    public KernelPath Path { get; set; }

    /// <summary>Allocates the state and lowers the gates.</summary>
    [GlobalSetup]
    public void Setup()
    {
        int n = Qubits;
        _data = new Complex[1 << n];
        _data.AsSpan().Fill(new Complex(Math.Sqrt(1.0 / _data.Length), 0));
        _ry0 = new CircuitProgram(new CircuitBuilder(n).Ry(0, 0.3).Build()).Steps[0];
        _ryMid = new CircuitProgram(new CircuitBuilder(n).Ry(n / 2, 0.3).Build()).Steps[0];
        _ryTop = new CircuitProgram(new CircuitBuilder(n).Ry(n - 1, 0.3).Build()).Steps[0];
        _cx = new CircuitProgram(new CircuitBuilder(n).CX(0, n - 1).Build()).Steps[0];
        _options = new SimulationOptions { KernelPath = Path, MaxThreads = 1, Fusion = false };
    }

    /// <summary>Ry on qubit 0.</summary>
    [Benchmark] public void RyLow() => Executor.Apply(_ry0, 0.3, _data, _options, false);
    /// <summary>Ry on qubit n/2.</summary>
    [Benchmark] public void RyMiddle() => Executor.Apply(_ryMid, 0.3, _data, _options, false);
    /// <summary>Ry on qubit n−1.</summary>
    [Benchmark] public void RyHigh() => Executor.Apply(_ryTop, 0.3, _data, _options, false);
    /// <summary>CX 0 → n−1.</summary>
    [Benchmark] public void CX() => Executor.Apply(_cx, 0, _data, _options, false);
}

/// <summary>BenchmarkDotNet suite: the hardware-efficient ansatz forward pass plus ⟨Z0⟩ on one thread.</summary>
[MemoryDiagnoser]
[ShortRunJob]
public class AnsatzBenchmarks
{
    private Circuit _circuit = null!;
    private ParameterValues _theta;
    private Simulator _sim = null!;
    private StateVector _state = null!;
    private readonly PauliString _z0 = PauliString.Parse("Z0");

    /// <summary>(n, L) as "n,L".</summary>
    [Params("10,20", "16,10")]
    public string Shape { get; set; } = "10,20";

    /// <summary>Gate fusion on or off.</summary>
    [Params(true, false)]
    public bool Fusion { get; set; }

    /// <summary>Builds the circuit.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var parts = Shape.Split(',');
        int n = int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture);
        (_circuit, _theta) = Workloads.HardwareEfficientAnsatz(n, int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
        _sim = new Simulator(new SimulationOptions { MaxThreads = 1, Fusion = Fusion });
        _state = StateVector.Zero(n);
    }

    /// <summary>Forward pass plus ⟨Z0⟩.</summary>
    [Benchmark]
    public double ForwardAndZ0()
    {
        BenchStates.Reset(_state.Data);
        _sim.Apply(_circuit, _theta, InputValues.None, _state);
        return _sim.Expectation(_state, _z0);
    }
}
