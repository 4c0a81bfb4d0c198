using QnnSim.Analysis.Sweeps;
using QnnSim.Circuits;
using QnnSim.Cli.Common;
using QnnSim.Interop;
using QnnSim.Noise;
using QnnSim.Observables;

namespace QnnSim.Tests.Fuzzing;

/// <summary>
/// Every text reader of QnnSim as a <see cref="FuzzTarget"/>. To fuzz a new reader, add one entry to <see cref="All"/> with its documented exception type and a few seeds; the
/// bounded run, the long run and the regression replay pick it up.
/// </summary>
public static class FuzzTargets
{
    private static string SampleFolder => Path.Combine(TestContext.CurrentContext.TestDirectory, "circuits");

    private static IEnumerable<string> QasmSamples() =>
        Directory.GetFiles(SampleFolder, "*.qasm").Order(StringComparer.Ordinal).Select(File.ReadAllText);

    /// <summary>The readers, by name.</summary>
    public static IReadOnlyList<FuzzTarget> All => s_all.Value;

    private static readonly Lazy<IReadOnlyList<FuzzTarget>> s_all = new(() =>
    [
        OpenQasmTarget(),
        QirTarget(),
        new("pauli-string", t => PauliString.Parse(t), [typeof(ParseException)],
            ["Z0", "X0 Y1 Z3", "I", "x12 z63", "Y0*Z1", "Z63", "X0X1"],
            ["X", "Y", "Z", "I", "0", "63", "64", " ", "*", "-", "1e9", "99999999999"]),
        new("pauli-sum", t => PauliSum.Parse(t), [typeof(ParseException)],
            ["0.5*Z0 + X1 Y2 - 1.2 * Z0 Z1", "Z0", "-X3", "2 + Z0", "1e-3*Y0 Y1 + 0.25", "Z0 - Z0"],
            ["+", "-", "*", "Z0", "X1 Y2", "0.5", "1e308", "1e999", ".", "e", " ", "((", "NaN"]),
        new("csv-data", t => CsvFiles.ReadData(t.Split('\n'), "fuzz.csv"), [typeof(ParseException)],
            ["x0,x1,label\n0.1,0.2,1\n0.3,-0.4,-1\n", "a\n1\n2\n", "# comment\nx,label\n1,1\n\n2,-1\n", "x[0],x[1]\n1e-3,2e3\n"],
            [",", "\n", "label", "x0", "1.5", "-", "e", "NaN", "Infinity", "1e999", "#", " ", "\"", "\r\n"]),
        new("csv-params", t => CsvFiles.ReadParameters(t.Split('\n'), "fuzz.csv", ParameterCircuit()), [typeof(ParseException)],
            ["name,value\nt,0.5\nu,1\n", "t,0.25\nu,-3\n", "# p\nt,1e-3\nu,2\n"],
            [",", "\n", "t", "u", "name,value", "1.5", "NaN", "1e999", "#", " "]),
        new("bind-value", t => { if (!ValueExpression.TryEvaluate(t, out _, out string? e)) throw new FormatException(e); }, [typeof(FormatException)],
            ["pi/2", "-pi/4", "2*pi", "(1+pi)/3", "1e-3", "3π", "tau - e"],
            ["(", ")", "-", "+", "*", "/", "pi", "π", "e", "1", ".", "1e308", " "]),
        new("noise-spec", t => NoiseModelParser.ParseSpec(t), [typeof(ParseException)],
            ["depolarizing=0.01", "depolarizing=0.01;readout=0.02,0.05", "pauli=0.01,0.02,0.03", "thermal-relaxation=50,70,1", "qdk-pauli=0.1,0,0"],
            ["=", ",", ";", "0.5", "1", "-1", "NaN", "1e999", "depolarizing", "kraus", "readout=", "amplitude-damping=", " "]),
        NoiseJsonTarget(),
        SweepSpecTarget(),
    ]);

    private static FuzzTarget NoiseJsonTarget() => new("noise-json", t => NoiseModelParser.ParseJson(t, "fuzz.json"), [typeof(ParseException)],
        [
            """{"gate_noise": [{"channel": {"type": "depolarizing", "p": 0.01}}, {"channel": {"type": "depolarizing2", "p": 0.02}, "gates": ["cx"]}]}""",
            """{"gate_noise": [{"channel": {"type": "kraus", "operators": [[[1, 0], [0, 0.6]], [[0, 0.8], [0, 0]]]}, "gates": ["h"], "qubits": [0]}]}""",
            """{"measurement_noise": [{"channel": {"type": "bit_flip", "p": 0.03}, "qubits": [1]}], "readout": [{"p1_given_0": 0.02, "p0_given_1": 0.05}]}""",
            """{"gate_noise": [{"channel": {"type": "thermal_relaxation", "t1": 50, "t2": 70, "time": 1}}], "qdk_pauli": [0.01, 0, 0]}""",
            """{"gate_noise": [{"channel": {"type": "global_depolarizing", "p": 0.1, "qubits": 2}}]}""",
        ],
        ["{", "}", "[", "]", ",", ":", "\"", "\"type\"", "\"p\"", "\"channel\"", "\"kraus\"", "\"operators\"", "[1, 0]", "[[1, 0], [0, 1]]",
         "0.5", "-1", "1e999", "NaN", "null", "true", "99999999999", "\"qubits\": [0]", "\"gates\": [\"cx\"]", "/*", "*/", "//", "\n", " "]);

    private static FuzzTarget SweepSpecTarget()
    {
        string example = Sweeps.SweepFiles.ExampleSpecText;
        return new("sweep-spec", t =>
            {
                var spec = SweepSpec.Parse(t, "fuzz.json");
                // Expanding the grid is part of reading a spec; past 10^4 points it is too slow for 5 s an input (the
                // point limit itself is checked before expanding, by count).
                double points = spec.AllAxes.Aggregate(1.0, (n, a) => n * a.Values.Count);
                if (points <= 10_000) SweepPlan.Create(spec, null);
            }, [typeof(ParseException)],
            [
                example,
                """{"command": "experiment convergence", "options": {"qubits": 2}, "axes": {"layers": {"from": 1, "to": 16, "count": 5, "scale": "log"}}, "combine": "zip"}""",
                """{"command": "train", "arguments": ["c.qasm"], "axes": {"lr": {"from": 0.1, "to": 0.5, "step": 0.1}, "observable": [["Z0", "Z1"], "X0"]}, "seeds": [1, 2, 3]}""",
                """{"command": "experiment haar-kernel", "axes": {"gamma": [1, 2]}, "plots": [{"x": "gamma", "y": "diagnosis.loglog_slope", "log_y": true}]}""",
            ],
            ["{", "}", "[", "]", ",", ":", "\"", "\"axes\"", "\"seeds\"", "\"from\"", "\"to\"", "\"count\"", "\"step\"", "\"scale\": \"log\"",
             "\"combine\": \"zip\"", "0", "1", "-1", "1e999", "100000", "1e-300", "NaN", "null", "true", "\"threads\"", "\"seed\"", "/*", "*/", "\n", " "]);
    }

    private static Circuit ParameterCircuit()
    {
        var b = new CircuitBuilder(1);
        b.Ry(0, b.Parameter("t")).Rz(0, b.Parameter("u"));
        return b.Build();
    }

    private static FuzzTarget OpenQasmTarget()
    {
        var seeds = QasmSamples().ToList();
        seeds.Add("OPENQASM 3;\ninclude \"stdgates.inc\";\ninput float[64] t;\nqubit[2] q;\ninv @ ctrl @ rx(sin(t)**2 + 1/3) q[0], q[1];\n");
        seeds.Add("OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[2];\ncreg c[2];\nu3(0.1,0.2,0.3) q[0];\ncx q[0],q[1];\nmeasure q -> c;\n");
        return new("openqasm", t => OpenQasm.Parse(t, "fuzz.qasm"), [typeof(ParseException)], seeds,
        [
            ";", ",", "(", ")", "[", "]", "{", "}", "@", "->", "=", "**", "-", "+", "*", "/", "%", ":", "\"", "$", "#",
            "/*", "*/", "//", "\n", " ", "0", "1", "-1", "1e999", "10**12", ".5", "π", "pi", "q", "q[0]", "q[99]",
            "qubit[2] r;", "gate g(a) b { rx(a) b; }", "g(1) q[0];", "input float[64] z;", "input array[float[64], 3] w;",
            "measure q;", "reset q;", "barrier q;", "ctrl @ ", "ctrl(2) @ ", "negctrl @ ", "inv @ ", "pow(2) @ ", "pow(-1) @ ",
            "gphase(1);", "if (c) ", "for ", "def ", "const float[64] k = 1;", "#pragma qnnsim inputs z", "OPENQASM 3;",
            "include \"stdgates.inc\";", "cx q[0], q[1];", "rx(", "sin(", "1+", "(", "-", "x q[0];", "U(1,2,3) q[0];",
        ]);
    }

    private static FuzzTarget QirTarget()
    {
        var seeds = new List<string>();
        foreach (var text in QasmSamples())
        {
            var c = OpenQasm.Parse(text, "seed.qasm");
            if (c.InputCount > 0) continue;
            seeds.Add(Qir.Write(c, ParameterValues.Of(new double[c.ParameterCount])));
        }
        return new("qir", t => Qir.Parse(t, "fuzz.ll"), [typeof(ParseException)], seeds,
        [
            "  call void @__quantum__qis__h__body(%Qubit* null)\n", "  call void @__quantum__qis__rx__body(double 1.5, %Qubit* inttoptr (i64 1 to %Qubit*))\n",
            "  call void @__quantum__qis__cx__body(%Qubit* null, %Qubit* inttoptr (i64 1 to %Qubit*))\n",
            "  call void @__quantum__qis__mz__body(%Qubit* null, %Result* null)\n", "  call void @__quantum__rt__initialize(i8* null)\n",
            "define void @main() #0 {\n", "}\n", "ret void\n", "br label %b\n", "b:\n", "attributes #0 = { \"required_num_qubits\"=\"2\" }\n",
            "inttoptr (i64 ", " to %Qubit*)", "(", ")", ",", "double ", "ptr ", "null", "@", "%", ";", "\n", "99999999999", "-1", "1e999", "nan",
        ]);
    }
}
