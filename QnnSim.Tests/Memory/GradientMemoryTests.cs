using QnnSim.Circuits;
using QnnSim.Gradients;
using QnnSim.Observables;
using QnnSim.Simulation;

namespace QnnSim.Tests.Memory;

/// <summary>
/// The adjoint gradient's workspace (ψ and one co-state per readout, 16·2^n bytes each) is checked against the memory
/// available before it is allocated, so a gradient too large for the machine is refused with the bytes named instead
/// of running the process out of memory.
/// </summary>
public class GradientMemoryTests
{
    private static (Circuit, ParameterValues) Small(int n)
    {
        var b = new CircuitBuilder(n);
        b.Ry(0, b.Parameter("a")).CX(0, n - 1).Rz(n - 1, b.Parameter("b"));
        return (b.Build(), ParameterValues.Of(0.3, -0.4));
    }

    [Test]
    public void ValueAndGradient_WorkspaceAboveAvailableMemory_ThrowsNamingBytes()
    {
        const int n = 20;
        var (circuit, theta) = Small(n);
        var d = new Differentiator(new GradientOptions { Simulation = new SimulationOptions { MaxThreads = 1 } });
        var g = new double[2];
        long available = 24L << 20; // a 20-qubit state (16 MiB) fits, ψ plus one co-state (32 MiB) does not
        using (MemoryBudget.OverrideAvailable(available))
        {
            var e = Assert.Throws<NotEnoughMemoryException>(() => d.ValueAndGradient(circuit, theta, InputValues.None, PauliSum.FromString(PauliString.Z(0)), g));
            Assert.That(e!.BytesNeeded, Is.EqualTo(2L * 16 << n));
            Assert.That(e.BytesAvailable, Is.EqualTo(available));
            Assert.That(e.Message, Does.Contain("adjoint-gradient workspace of a 20-qubit circuit"));
        }
        Assert.That(g, Is.EqualTo(new double[2]), "nothing is written when the workspace is refused");
    }

    [Test]
    public void ValueAndGradient_WorkspaceWithinAvailableMemory_Runs()
    {
        const int n = 20;
        var (circuit, theta) = Small(n);
        var d = new Differentiator(new GradientOptions { Simulation = new SimulationOptions { MaxThreads = 1 } });
        var g = new double[2];
        using (MemoryBudget.OverrideAvailable(40L << 20))
        {
            double value = d.ValueAndGradient(circuit, theta, InputValues.None, PauliSum.FromString(PauliString.Z(0)), g);
            // ⟨Z0⟩ = cos a for Ry(a) on qubit 0 (CX and Rz on other qubits leave it unchanged): d/da = −sin a, d/db = 0.
            Assert.That(value, Is.EqualTo(Math.Cos(0.3)).Within(Tolerances.Kernel));
            Assert.That(g[0], Is.EqualTo(-Math.Sin(0.3)).Within(Tolerances.Kernel));
            Assert.That(g[1], Is.EqualTo(0).Within(Tolerances.Kernel));
        }
    }
}
