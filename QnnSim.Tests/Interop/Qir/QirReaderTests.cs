using QnnSim.Circuits;
using QnnSim.Interop;

namespace QnnSim.Tests.Interop.Qir;

[TestFixture]
public class QirReaderTests
{
    /// <summary>Base-profile QIR in the form the QDK 1.32 emits it, wrapped around the given body lines.</summary>
    internal static string Module(string body, int qubits = 3, int results = 0) => $$"""
        %Result = type opaque
        %Qubit = type opaque

        @0 = internal constant [4 x i8] c"0_a\00"

        define i64 @ENTRYPOINT__main() #0 {
        block_0:
          call void @__quantum__rt__initialize(i8* null)
        {{body}}
          ret i64 0
        }

        declare void @__quantum__rt__initialize(i8*)

        attributes #0 = { "entry_point" "output_labeling_schema" "qir_profiles"="base_profile" "required_num_qubits"="{{qubits}}" "required_num_results"="{{results}}" }
        attributes #1 = { "irreversible" }

        !llvm.module.flags = !{!0}
        !0 = !{i32 1, !"qir_major_version", i32 1}
        """;

    private static string Q(int q) => $"%Qubit* inttoptr (i64 {q} to %Qubit*)";
    private static string R(int r) => $"%Result* inttoptr (i64 {r} to %Result*)";

    public static IEnumerable<TestCaseData> IntrinsicCases()
    {
        yield return new TestCaseData($"h__body({Q(1)})", "h", new[] { 1 }, double.NaN);
        yield return new TestCaseData($"x__body({Q(0)})", "x", new[] { 0 }, double.NaN);
        yield return new TestCaseData($"y__body({Q(2)})", "y", new[] { 2 }, double.NaN);
        yield return new TestCaseData($"z__body({Q(0)})", "z", new[] { 0 }, double.NaN);
        yield return new TestCaseData($"s__body({Q(0)})", "s", new[] { 0 }, double.NaN);
        yield return new TestCaseData($"s__adj({Q(0)})", "sdg", new[] { 0 }, double.NaN);
        yield return new TestCaseData($"t__body({Q(0)})", "t", new[] { 0 }, double.NaN);
        yield return new TestCaseData($"t__adj({Q(0)})", "tdg", new[] { 0 }, double.NaN);
        yield return new TestCaseData($"sx__body({Q(2)})", "sx", new[] { 2 }, double.NaN);
        yield return new TestCaseData($"rx__body(double 0.3, {Q(1)})", "rx", new[] { 1 }, 0.3);
        yield return new TestCaseData($"ry__body(double -1.5e-3, {Q(1)})", "ry", new[] { 1 }, -1.5e-3);
        yield return new TestCaseData($"rz__body(double 0x400921FB54442D18, {Q(1)})", "rz", new[] { 1 }, Math.PI);
        yield return new TestCaseData($"rxx__body(double 1.0, {Q(0)}, {Q(2)})", "rxx", new[] { 0, 2 }, 1.0);
        yield return new TestCaseData($"ryy__body(double 2.0, {Q(2)}, {Q(1)})", "ryy", new[] { 2, 1 }, 2.0);
        yield return new TestCaseData($"rzz__body(double 3.0, {Q(1)}, {Q(0)})", "rzz", new[] { 1, 0 }, 3.0);
        yield return new TestCaseData($"cx__body({Q(2)}, {Q(0)})", "cx", new[] { 2, 0 }, double.NaN);
        yield return new TestCaseData($"cy__body({Q(0)}, {Q(1)})", "cy", new[] { 0, 1 }, double.NaN);
        yield return new TestCaseData($"cz__body(%Qubit* null, {Q(1)})", "cz", new[] { 0, 1 }, double.NaN);
        yield return new TestCaseData($"ccx__body({Q(0)}, {Q(1)}, {Q(2)})", "ccx", new[] { 0, 1, 2 }, double.NaN);
        yield return new TestCaseData($"swap__body({Q(2)}, {Q(0)})", "swap", new[] { 2, 0 }, double.NaN);
        yield return new TestCaseData("h__body(ptr inttoptr (i64 2 to ptr))", "h", new[] { 2 }, double.NaN);
    }

    [TestCaseSource(nameof(IntrinsicCases))]
    public void Parse_Intrinsic_GivesGateOnQubits(string call, string name, int[] qubits, double angle)
    {
        var c = QnnSim.Interop.Qir.Parse(Module($"  call void @__quantum__qis__{call}"), "t.ll");
        Assert.That(c.QubitCount, Is.EqualTo(3));
        Assert.That(c.Operations, Has.Length.EqualTo(1));
        var op = c.Operations[0];
        Assert.That(op.Name, Is.EqualTo(name));
        Assert.That(op.Qubits, Is.EqualTo(qubits));
        if (double.IsNaN(angle)) Assert.That(op.Angles, Is.Empty);
        else Assert.That(op.Angles[0].ConstantValue, Is.EqualTo(angle));
    }

    [Test]
    public void Parse_FinalMeasurements_BecomeReadoutInResultOrder()
    {
        string body = $"""
              call void @__quantum__qis__h__body({Q(0)})
              call void @__quantum__qis__cx__body({Q(0)}, {Q(1)})
              call void @__quantum__qis__m__body({Q(1)}, {R(1)})
              call void @__quantum__qis__mresetz__body({Q(0)}, {R(0)})
              call void @__quantum__qis__m__body({Q(2)}, {R(2)})
              call void @__quantum__qis__reset__body({Q(2)})
              call void @__quantum__rt__result_record_output({R(0)}, i8* null)
            """;
        var c = QnnSim.Interop.Qir.Parse(Module(body, 3, 3), "t.ll");
        Assert.That(c.Operations.Select(o => o.Name), Is.EqualTo(new[] { "h", "cx" }));
        Assert.That(c.MeasuredQubits, Is.EqualTo(new[] { 0, 1, 2 }));
    }

    [Test]
    public void Parse_QubitCount_IsAttributeOrHighestQubit()
    {
        Assert.That(QnnSim.Interop.Qir.Parse(Module($"  call void @__quantum__qis__h__body({Q(0)})", qubits: 5)).QubitCount, Is.EqualTo(5));
        Assert.That(QnnSim.Interop.Qir.Parse(Module($"  call void @__quantum__qis__h__body({Q(6)})", qubits: 2)).QubitCount, Is.EqualTo(7));
    }

    [Test]
    public void Parse_ResetBeforeFirstGate_IsIgnored()
    {
        var c = QnnSim.Interop.Qir.Parse(Module($"  call void @__quantum__qis__reset__body({Q(1)})\n  call void @__quantum__qis__x__body({Q(1)})"));
        Assert.That(c.Operations.Select(o => o.Name), Is.EqualTo(new[] { "x" }));
    }

    public static IEnumerable<TestCaseData> ErrorCases()
    {
        // (body, line of the error within the module, column, fragment of the message)
        yield return new TestCaseData($"  call void @__quantum__qis__u3__body(double 1.0, double 2.0, double 3.0, {Q(0)})", 9, 13, "unsupported intrinsic");
        yield return new TestCaseData($"  call void @__quantum__qis__m__body({Q(0)}, {R(0)})\n  call void @__quantum__qis__x__body({Q(0)})", 10, 13, "after its measurement");
        yield return new TestCaseData($"  call void @__quantum__qis__x__body({Q(0)})\n  call void @__quantum__qis__reset__body({Q(0)})\n  call void @__quantum__qis__x__body({Q(0)})", 11, 13, "after its reset");
        yield return new TestCaseData($"  call void @__quantum__qis__rx__body(double abc, {Q(0)})", 9, 46, "malformed double");
        yield return new TestCaseData("  call void @__quantum__qis__h__body(%Qubit* %q)", 9, 38, "static pointer");
        yield return new TestCaseData($"  %0 = call i1 @__quantum__qis__read_result__body({R(0)})", 9, 3, "unsupported instruction");
        yield return new TestCaseData($"  call void @__quantum__qis__h__body({Q(0)}, {Q(1)})", 9, 37, "takes 1 arguments, got 2");
        yield return new TestCaseData($"  call void @__quantum__qis__cx__body({Q(1)}, {Q(1)})", 9, 76, "appears twice");
        yield return new TestCaseData($"  call void @foo({Q(1)})", 9, 13, "unknown function");
        yield return new TestCaseData($"  call void @__quantum__qis__h__body({Q(40)})", 9, 38, "out of range");
    }

    [TestCaseSource(nameof(ErrorCases))]
    public void Parse_Malformed_ThrowsWithLineAndColumn(string body, int line, int column, string fragment)
    {
        var e = Assert.Throws<ParseException>(() => QnnSim.Interop.Qir.Parse(Module(body), "bad.ll"))!;
        Assert.That(e.SourceName, Is.EqualTo("bad.ll"));
        Assert.That(e.Message, Does.Contain(fragment));
        Assert.That((e.Line, e.Column), Is.EqualTo((line, column)), e.Message);
    }

    [Test]
    public void Parse_SecondFunction_Throws()
    {
        string text = Module("") + "\ndefine void @other() {\n  ret void\n}\n";
        var e = Assert.Throws<ParseException>(() => QnnSim.Interop.Qir.Parse(text, "two.ll"))!;
        Assert.That(e.Message, Does.Contain("second function"));
    }

    [Test]
    public void Parse_NoFunction_Throws()
    {
        Assert.Throws<ParseException>(() => QnnSim.Interop.Qir.Parse("%Qubit = type opaque\n", "empty.ll"));
    }
}
