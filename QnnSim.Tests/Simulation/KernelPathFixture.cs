using System.Numerics;
using MathNet.Numerics.LinearAlgebra;
using QnnSim.Circuits;
using QnnSim.Kernels;
using QnnSim.Simulation;
using QnnSim.State;

namespace QnnSim.Tests.Simulation;

/// <summary>
/// Base of every fixture that must run on each forced kernel path, with gate fusion on and off (STYLE.md §7: one
/// shared fixture, one [TestFixture(...)] per path). The SIMD paths fall back to narrower ones on processors that
/// lack them; <see cref="SimulationOptions.EffectiveKernelPath"/> says what ran.
/// </summary>
public abstract class KernelPathFixture
{
    protected KernelPathFixture(KernelPath path, bool fusion)
    {
        Path = path;
        Fusion = fusion;
        Options = new SimulationOptions { KernelPath = path, Fusion = fusion, MaxThreads = 1 };
        Sim = new Simulator(Options);
    }

    protected KernelPath Path { get; }
    protected bool Fusion { get; }
    protected SimulationOptions Options { get; }
    protected Simulator Sim { get; }

    /// <summary>Keeps the dense references' large-object garbage from piling up (see <see cref="Reference.DenseReference.CollectIfLarge"/>).</summary>
    [TearDown]
    public void CollectGarbage() => Reference.DenseReference.CollectIfLarge();

    /// <summary>Applies a circuit to a copy of ψ and returns the amplitudes.</summary>
    protected Complex[] Simulate(Circuit c, ParameterValues theta, InputValues x, Complex[] psi)
    {
        var state = StateVector.FromAmplitudes(psi);
        Sim.Apply(c, theta, x, state);
        return state.ToArray();
    }

    /// <summary>The 2^n × 2^n matrix the simulator implements, column by column from basis states.</summary>
    protected Matrix<Complex> SimulatedMatrix(Circuit c, ParameterValues theta = default, InputValues x = default)
    {
        int d = 1 << c.QubitCount;
        var m = Matrix<Complex>.Build.Dense(d, d);
        for (int col = 0; col < d; col++)
        {
            var state = StateVector.BasisState(c.QubitCount, col);
            Sim.Apply(c, theta, x, state);
            for (int r = 0; r < d; r++) m[r, col] = state[r];
        }
        return m;
    }
}
