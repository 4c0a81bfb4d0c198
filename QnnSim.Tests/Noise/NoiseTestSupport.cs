using System.Numerics;
using MathNet.Numerics.LinearAlgebra;
using QnnSim.Circuits;
using QnnSim.Noise;
using QnnSim.Randomness;
using QnnSim.Simulation;
using QnnSim.State;
using QnnSim.Tests.Reference;

namespace QnnSim.Tests.Noise;

/// <summary>Independent dense references for noisy circuits: ρ as a MathNet matrix, gates as U ρ U†, channels as Σ K ρ K†.</summary>
internal static class NoiseTestSupport
{
    /// <summary>Named tolerances of the noise tests.</summary>
    public const double Exact = 1e-12;

    /// <summary>Agreement of whole noisy circuits with the dense reference.</summary>
    public const double CircuitTolerance = 1e-10;

    /// <summary>Standard errors a trajectory estimate may sit from the exact value: a normal tail beyond 5σ has
    /// probability 5.7e-7 per comparison, so the false-failure rate of a test with a few dozen comparisons is below 1e-4.</summary>
    public const double TrajectorySigmas = 5.0;

    /// <summary>The unitary of a gate-only circuit, column by column from the statevector simulator (2^n runs).</summary>
    public static Matrix<Complex> UnitaryOf(Circuit circuit, ParameterValues theta, InputValues x)
    {
        int d = 1 << circuit.QubitCount;
        var u = Matrix<Complex>.Build.Dense(d, d);
        var sim = new Simulator(SimulationOptions.Default with { MaxThreads = 1 });
        for (int c = 0; c < d; c++)
        {
            var s = StateVector.BasisState(circuit.QubitCount, c);
            sim.Apply(circuit, theta, x, s);
            for (int r = 0; r < d; r++) u[r, c] = s[r];
        }
        return u;
    }

    /// <summary>ρ of a noisy circuit from |0⟩⟨0|: gate runs as dense unitaries, channels as dense Kraus sums.</summary>
    public static Matrix<Complex> DenseRho(Circuit noisy, ParameterValues theta, InputValues x)
    {
        int n = noisy.QubitCount, d = 1 << n;
        var rho = Matrix<Complex>.Build.Dense(d, d);
        rho[0, 0] = 1;
        var run = new List<Operation>();
        void Flush()
        {
            if (run.Count == 0) return;
            var u = UnitaryOf(new Circuit(n, run, noisy.ParameterNames, noisy.InputNames), theta, x);
            rho = u * rho * u.ConjugateTranspose();
            run.Clear();
        }
        foreach (var op in noisy.Operations)
        {
            if (!op.IsChannel)
            {
                run.Add(op);
                continue;
            }
            Flush();
            var next = Matrix<Complex>.Build.Dense(d, d);
            foreach (var k in op.Channel!.KrausOperators())
            {
                var local = Matrix<Complex>.Build.DenseOfArray(k);
                var full = DenseReference.OnQubits(n, [.. op.Targets], local);
                next += full * rho * full.ConjugateTranspose();
            }
            rho = next;
        }
        Flush();
        return rho;
    }

    /// <summary>Max |ρ_{rc} − dense_{rc}|.</summary>
    public static double MaxDiff(DensityMatrix rho, Matrix<Complex> dense)
    {
        double worst = 0;
        int d = 1 << rho.QubitCount;
        for (int r = 0; r < d; r++)
            for (int c = 0; c < d; c++) worst = Math.Max(worst, (rho[r, c] - dense[r, c]).Magnitude);
        return worst;
    }

    /// <summary>A random CPTP channel on k qubits with r Kraus operators: blocks of the first 2^k columns of a Haar unitary.</summary>
    public static NoiseChannel RandomKraus(int k, int r, ulong seed)
    {
        int d = 1 << k;
        var v = DenseReference.HaarUnitary(d * r, seed);
        var ops = new List<Complex[,]>();
        for (int i = 0; i < r; i++)
        {
            var m = new Complex[d, d];
            for (int a = 0; a < d; a++)
                for (int b = 0; b < d; b++) m[a, b] = v[i * d + a, b];
            ops.Add(m);
        }
        return NoiseChannel.Kraus(ops);
    }

    /// <summary>A noise model with every channel family: per-gate depolarizing, thermal relaxation on qubit 0, two-qubit
    /// depolarizing after cx/cz, a random Kraus channel after h, global depolarizing after ry, amplitude damping before measurement.</summary>
    public static NoiseModel EveryChannelModel(ulong seed) => NoiseModel.Ideal
        .WithGateNoise(NoiseChannel.Depolarizing(0.03))
        .WithGateNoise(NoiseChannel.ThermalRelaxation(50, 70, 3), [], [0])
        .WithGateNoise(NoiseChannel.TwoQubitDepolarizing(0.05), ["cx", "cz"], [])
        .WithGateNoise(RandomKraus(1, 3, seed), ["h"], [])
        .WithGateNoise(NoiseChannel.GlobalDepolarizing(0.04), ["ry"], [])
        .WithGateNoise(NoiseChannel.Pauli(0.01, 0.02, 0.03), ["rx", "rz"], [])
        .WithGateNoise(NoiseChannel.PhaseDamping(0.05), ["p", "u"], [])
        .WithMeasurementNoise(NoiseChannel.AmplitudeDamping(0.1));
}
