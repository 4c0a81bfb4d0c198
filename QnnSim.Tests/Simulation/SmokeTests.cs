using QnnSim.Circuits;
using QnnSim.Observables;
using QnnSim.Simulation;

namespace QnnSim.Tests.Simulation;

[TestFixture]
public class SmokeTests
{
    [Test]
    public void Rx_OnZero_ExpectationsMatchClosedForm()
    {
        var b = new CircuitBuilder(1);
        b.Rx(0, 1.1);
        var sim = new Simulator();
        var psi = sim.Run(b.Build(), ParameterValues.None, InputValues.None);
        Assert.That(sim.Expectation(psi, PauliString.Z(0)), Is.EqualTo(Math.Cos(1.1)).Within(Tolerances.Kernel));
        Assert.That(sim.Expectation(psi, PauliString.Y(0)), Is.EqualTo(-Math.Sin(1.1)).Within(Tolerances.Kernel));
    }
}
