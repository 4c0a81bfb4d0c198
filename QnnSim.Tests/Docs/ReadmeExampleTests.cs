using QnnSim.Circuits;
using QnnSim.Gradients;
using QnnSim.Observables;
using QnnSim.Simulation;

namespace QnnSim.Tests.Docs;

/// <summary>The README's library example, verbatim, checked against independent references.</summary>
[TestFixture]
public class ReadmeExampleTests
{
    [Test]
    public void ReadmeExample_GradientMatchesCentralDifferences()
    {
        // --- README example (keep in step with README.md) ---
        var b = new CircuitBuilder(2);
        var x = b.Input("x");                  // a data input
        var theta = b.Parameters("theta", 2);  // trainable parameters theta[0], theta[1]
        b.Ry(0, x).Ry(1, x).CX(0, 1).Ry(0, theta[0]).Ry(1, theta[1]);
        Circuit circuit = b.Build();           // immutable; values are passed at run time

        var observable = PauliSum.Parse("Z0 + 0.5*X0 X1");
        var sim = new Simulator();
        var psi = sim.Run(circuit, ParameterValues.Of(0.1, 0.2), InputValues.Of(0.5));
        double value = sim.Expectation(psi, observable);

        var gradient = new double[circuit.ParameterCount];
        new Differentiator().ValueAndGradient(circuit, ParameterValues.Of(0.1, 0.2), InputValues.Of(0.5), observable, gradient);
        // --- end of README example ---

        double F(double t0, double t1) => sim.Expectation(sim.Run(circuit, ParameterValues.Of(t0, t1), InputValues.Of(0.5)), observable);
        const double h = 1e-5;
        Assert.That(value, Is.EqualTo(F(0.1, 0.2)).Within(Tolerances.Circuit));
        Assert.That(gradient[0], Is.EqualTo((F(0.1 + h, 0.2) - F(0.1 - h, 0.2)) / (2 * h)).Within(Tolerances.FiniteDifference));
        Assert.That(gradient[1], Is.EqualTo((F(0.1, 0.2 + h) - F(0.1, 0.2 - h)) / (2 * h)).Within(Tolerances.FiniteDifference));
        Assert.That(Math.Abs(gradient[0]) + Math.Abs(gradient[1]), Is.GreaterThan(1e-3), "the example should have a non-trivial gradient");
    }

    [Test]
    public void ReadmeExample_ValueMatchesHandComputedState()
    {
        // Ry(x)⊗Ry(x)|00⟩ then CX(0→1), then Ry(θ0) on qubit 0 and Ry(θ1) on qubit 1, written out by hand.
        double xv = 0.5, t0 = 0.1, t1 = 0.2;
        double c = Math.Cos(xv / 2), s = Math.Sin(xv / 2);
        // amplitudes indexed by k = b0 + 2 b1 (qubit 0 least significant)
        double[] a = [c * c, s * c, c * s, s * s];
        (a[1], a[3]) = (a[3], a[1]); // CX: control qubit 0 flips qubit 1 when b0 = 1
        double[] r = new double[4];
        double c0 = Math.Cos(t0 / 2), s0 = Math.Sin(t0 / 2), c1 = Math.Cos(t1 / 2), s1 = Math.Sin(t1 / 2);
        for (int b1 = 0; b1 < 2; b1++)
        {
            double u0 = a[2 * b1], u1 = a[2 * b1 + 1];
            r[2 * b1] = c0 * u0 - s0 * u1;
            r[2 * b1 + 1] = s0 * u0 + c0 * u1;
        }
        double[] q = new double[4];
        for (int b0 = 0; b0 < 2; b0++)
        {
            double u0 = r[b0], u1 = r[2 + b0];
            q[b0] = c1 * u0 - s1 * u1;
            q[2 + b0] = s1 * u0 + c1 * u1;
        }
        double z0 = q[0] * q[0] - q[1] * q[1] + q[2] * q[2] - q[3] * q[3];
        double x0x1 = 2 * (q[0] * q[3] + q[1] * q[2]);
        double expected = z0 + 0.5 * x0x1;

        var b = new CircuitBuilder(2);
        var x = b.Input("x");
        var theta = b.Parameters("theta", 2);
        b.Ry(0, x).Ry(1, x).CX(0, 1).Ry(0, theta[0]).Ry(1, theta[1]);
        var sim = new Simulator();
        var psi = sim.Run(b.Build(), ParameterValues.Of(t0, t1), InputValues.Of(xv));
        Assert.That(sim.Expectation(psi, PauliSum.Parse("Z0 + 0.5*X0 X1")), Is.EqualTo(expected).Within(Tolerances.Kernel));
    }
}
