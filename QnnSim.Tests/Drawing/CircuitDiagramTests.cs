using System.Xml.Linq;
using QnnSim.Circuits;
using QnnSim.Drawing;
using QnnSim.Interop;
using QnnSim.Tests.Cli;

namespace QnnSim.Tests.Drawing;

/// <summary>Text and SVG circuit diagrams, and <c>qnnsim draw</c>.</summary>
public sealed class CircuitDiagramTests
{
    private static string SamplePath(string name) => Path.Combine(TestContext.CurrentContext.TestDirectory, "circuits", name);

    private static IEnumerable<string> SampleCircuits() =>
        Directory.GetFiles(Path.Combine(TestContext.CurrentContext.TestDirectory, "circuits"), "*.qasm").Select(Path.GetFileName)!;

    [Test]
    public void ToText_Bell_IsTheExpectedDiagram()
    {
        var b = new CircuitBuilder(2);
        b.H(0).CX(0, 1).Measure(0).Measure(1);
        string expected = string.Join('\n',
            "      ┌───┐     ┌───┐",
            "q0: ──┤ H ├──●──┤ M ├──",
            "      └───┘  │  └───┘",
            "             │  ┌───┐",
            "q1: ─────────⊕──┤ M ├──",
            "                └───┘") + "\n";
        Assert.That(CircuitDiagram.ToText(b.Build()), Is.EqualTo(expected));
    }

    [Test]
    public void ToText_ParametersAndInputs_ShownByName()
    {
        var b = new CircuitBuilder(2);
        var x = b.Input("x");
        var theta = b.Parameters("theta", 2);
        b.Ry(0, x).Ry(1, 2.0 * x + Math.PI / 4).CRz(0, 1, theta[0]).Rx(1, theta[1]).Rz(0, -3 * Math.PI / 4).Phase(1, 0.123456);
        string text = b.Build().Draw();
        Assert.That(text, Does.Contain("RY(x)").And.Contain("RY(2·x + π/4)").And.Contain("RZ(theta[0])").And.Contain("RX(theta[1])")
            .And.Contain("RZ(−3π/4)").And.Contain("P(0.1235)"));
        var lines = text.Split('\n');
        int control = lines[1].IndexOf('●'), target = lines[4].IndexOf("RZ(theta[0])", StringComparison.Ordinal);
        Assert.That(control, Is.GreaterThan(0), "the control of CRZ is on qubit 0's wire");
        Assert.That(lines[3][control], Is.EqualTo('┴'), "the connector enters the target box from above");
    }

    [Test]
    public void ToText_OpenControlSwapAndGlobalPhase_Symbols()
    {
        var b = new CircuitBuilder(3);
        b.Controlled(GateKind.X, [0], 2, controlStates: [false]).Swap(0, 1).CZ(1, 2).GlobalPhase(Math.PI / 2);
        string text = b.Build().Draw();
        Assert.That(text, Does.StartWith("global phase: π/2\n"));
        Assert.That(text, Does.Contain("○").And.Contain("⊕").And.Contain("×"));
        Assert.That(text.Split('\n')[5], Does.Contain("┼"), "qubit 1's wire is crossed by the 0→2 connector");
    }

    [TestCaseSource(nameof(SampleCircuits))]
    public void ToText_SampleCircuitNarrow_WrapsWithinWidthAndKeepsEveryGate(string file)
    {
        var circuit = CircuitFiles.Load(SamplePath(file));
        const int width = 60;
        string text = CircuitDiagram.ToText(circuit, width);
        var lines = text.TrimEnd('\n').Split('\n').Where(l => !l.StartsWith("global phase:", StringComparison.Ordinal)).ToArray();
        int boxed = circuit.Operations.Count(o => !o.Targets.IsEmpty && !(o.Kind is GateKind.X or GateKind.Z && !o.Controls.IsEmpty) && o.Kind != GateKind.Swap);
        int widest = DiagramLayoutWidestColumn(circuit);
        Assert.That(lines.Where(l => l.Length > Math.Max(width, widest)), Is.Empty, "lines wider than the width");
        int blocks = lines.Count(l => l.StartsWith("q0: ", StringComparison.Ordinal));
        Assert.That(lines.Count(l => l.StartsWith("q0: «", StringComparison.Ordinal)), Is.EqualTo(blocks - 1), "every block after the first continues with «");
        Assert.That(text.Count(c => c == '┌'), Is.GreaterThanOrEqualTo(boxed), "at least one box per boxed gate");
    }

    private static int DiagramLayoutWidestColumn(Circuit circuit) =>
        circuit.Operations.Where(o => !o.Targets.IsEmpty).Select(o => DiagramLayout.Label(o, circuit).Length + 12).DefaultIfEmpty(0).Max();

    [Test]
    public void ToText_WidthBelowMinimum_Throws()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => CircuitDiagram.ToText(new CircuitBuilder(1).H(0).Build(), 5))!;
        Assert.That(e.Message, Does.Contain("5").And.Contain("20"));
    }

    [Test]
    public void ToSvg_Bell_IsWellFormedWithOneShapePerGate()
    {
        var b = new CircuitBuilder(2);
        b.H(0).CX(0, 1).Measure(1);
        var svg = XDocument.Parse(b.Build().ToSvg());
        XNamespace ns = "http://www.w3.org/2000/svg";
        Assert.That(svg.Root!.Name, Is.EqualTo(ns + "svg"));
        var texts = svg.Descendants(ns + "text").Select(t => t.Value).ToList();
        Assert.That(texts, Is.EquivalentTo(new[] { "q0", "q1", "H", "M" }));
        Assert.That(svg.Descendants(ns + "circle").Count(), Is.EqualTo(2), "the control dot and the ⊕ circle");
        Assert.That(double.Parse(svg.Root.Attribute("width")!.Value, System.Globalization.CultureInfo.InvariantCulture), Is.GreaterThan(100));
    }

    [Test]
    public void ToSvg_LabelsAreEscaped()
    {
        var b = new CircuitBuilder(1);
        var p = b.Parameter("a<b&c");
        b.Rx(0, p);
        Assert.DoesNotThrow(() => XDocument.Parse(b.Build().ToSvg()));
    }

    [Test]
    public void ToText_NoiseChannels_ShortNamesWithParameters()
    {
        var b = new CircuitBuilder(2);
        b.H(0).Depolarizing(0, 0.01).AmplitudeDamping(1, 0.05).PauliChannel(0, 0.01, 0.005, 0.02)
            .Channel(QnnSim.Noise.NoiseChannel.GlobalDepolarizing(0.1, 2), 0, 1)
            .Channel(QnnSim.Noise.NoiseChannel.ThermalRelaxation(50, 70, 1), 1);
        string text = b.Build().Draw();
        Assert.That(text, Does.Contain("┤ D(0.01) ├").And.Contain("┤ AD(0.05) ├").And.Contain("┤ Pauli(0.01,0.005,0.02) ├")
            .And.Contain("┤ GD(0.1) ├").And.Contain("┤ TR(50,70,1) ├"));
        Assert.That(text, Does.Not.Contain("CHANNEL"));
        var noisy = QnnSim.Noise.NoiseModel.Ideal.WithGateNoise(QnnSim.Noise.NoiseChannel.Depolarizing(0.02)).ApplyTo(new CircuitBuilder(2).H(0).CX(0, 1).Build());
        Assert.That(System.Text.RegularExpressions.Regex.Count(noisy.Draw(), @"D\(0\.02\)"), Is.EqualTo(3), "after H on q0, after CX on q0 and q1");
    }

    [Test]
    public void ToTextAndSvg_CallerLabels_ReplaceDefaultsByOperationIndex()
    {
        var x = UnitaryMatrix.Create(new System.Numerics.Complex[,] { { 0, 1 }, { 1, 0 } });
        var swap = UnitaryMatrix.Create(new System.Numerics.Complex[,] { { 1, 0, 0, 0 }, { 0, 0, 1, 0 }, { 0, 1, 0, 0 }, { 0, 0, 0, 1 } });
        var b = new CircuitBuilder(2);
        var t = b.Parameter("t");
        b.Unitary([0, 1], swap).Rz(0, t).Unitary([0], x);
        var circuit = b.Build();
        string? Label(int i, Operation op) => op.Kind == GateKind.Unitary ? $"W{i / 2 + 1}" : null;
        string text = CircuitDiagram.ToText(circuit, 80, Label);
        Assert.That(text, Does.Contain("┤ W1 ├").And.Contain("┤ W2 ├").And.Contain("RZ(t)").And.Not.Contain("Unitary"));
        Assert.That(circuit.Draw(), Does.Contain("Unitary"), "the default labels without a label function");
        var svg = XDocument.Parse(CircuitDiagram.ToSvg(circuit, Label));
        XNamespace ns = "http://www.w3.org/2000/svg";
        Assert.That(svg.Descendants(ns + "text").Select(e => e.Value), Is.EquivalentTo(new[] { "q0", "q1", "W1", "W1", "RZ(t)", "W2" }));
    }

    [Test]
    public void DrawCommand_SvgAndWidth_WritesBoth()
    {
        using var h = new CliHarness();
        string svg = Path.Combine(h.Folder, "c.svg");
        var o = CliHarness.Run("draw", SamplePath("hardware_efficient.qasm"), "--svg", svg, "--width", "50");
        Assert.That(o.Code, Is.EqualTo(0), o.ToString());
        Assert.That(o.Out.Split('\n').Max(l => l.Length), Is.LessThanOrEqualTo(50));
        Assert.That(o.Out, Does.Contain("q3: ").And.Contain("»").And.Contain("«"));
        Assert.That(XDocument.Parse(File.ReadAllText(svg)).Root!.Name.LocalName, Is.EqualTo("svg"));
    }

    [TestCase("--width", "5", QnnSim.Cli.ExitCodes.UsageError, "--width 5")]
    public void DrawCommand_BadWidth_IsUsageError(string option, string value, int code, string message)
    {
        var o = CliHarness.Run("draw", SamplePath("hardware_efficient.qasm"), option, value);
        Assert.That(o.Code, Is.EqualTo(code), o.ToString());
        Assert.That(o.Err, Does.Contain(message));
    }

    [Test]
    public void DrawCommand_MissingFile_IsInputError()
    {
        var o = CliHarness.Run("draw", "no-such-file.qasm");
        Assert.That(o.Code, Is.EqualTo(QnnSim.Cli.ExitCodes.InputError), o.ToString());
        Assert.That(o.Err, Does.Contain("no-such-file.qasm"));
    }
}
