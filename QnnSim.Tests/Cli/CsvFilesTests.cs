using QnnSim.Circuits;
using QnnSim.Cli;
using QnnSim.Cli.Common;

namespace QnnSim.Tests.Cli;

[TestFixture]
public class CsvFilesTests
{
    private static string[] Lines(string text) => text.Replace("\r", "").Split('\n');

    private static Circuit Circuit2x2()
    {
        var b = new CircuitBuilder(2);
        b.Rx(0, b.Input("x0")).Rx(1, b.Input("x1")).Ry(0, b.Parameter("t0")).Ry(1, b.Parameter("t1"));
        return b.Build();
    }

    [Test]
    public void ReadData_WithLabel_SeparatesLabelAndSelectsInputs()
    {
        var table = CsvFiles.ReadData(Lines("x1, label ,x0,extra\n# comment\n0.5,1,-0.25,9\n\n1e-1,-1,2,9\n"), "d.csv");
        Assert.That(table.Columns, Is.EqualTo(new[] { "x1", "x0", "extra" }));
        Assert.That(table.Labels, Is.EqualTo(new[] { 1.0, -1.0 }));
        Assert.That(table.Lines, Is.EqualTo(new[] { 3, 5 }));
        var inputs = table.InputsFor(Circuit2x2());
        Assert.That(inputs[0], Is.EqualTo(new[] { -0.25, 0.5 }));
        Assert.That(inputs[1], Is.EqualTo(new[] { 2.0, 0.1 }));
    }

    [Test]
    public void ReadData_QuotedHeaderAndFields_Unquoted()
    {
        var table = CsvFiles.ReadData("\"x0\",\"x1\",\"label\"\n\"0.5\", \"-1e-1\" ,1\n", "d.csv");
        Assert.That(table.Columns, Is.EqualTo(new[] { "x0", "x1" }));
        Assert.That(table.Rows[0], Is.EqualTo(new[] { 0.5, -0.1 }));
        Assert.That(table.Labels, Is.EqualTo(new[] { 1.0 }));
    }

    [Test]
    public void ReadData_PandasIndexColumn_IsSkipped()
    {
        // pandas.DataFrame({"x0": [0.1, 0.2], "x1": [1.0, 2.0], "label": [1, -1]}).to_csv("d.csv")
        var table = CsvFiles.ReadData(",x0,x1,label\n0,0.1,1.0,1\n1,0.2,2.0,-1\n", "d.csv");
        Assert.That(table.Columns, Is.EqualTo(new[] { "x0", "x1" }));
        Assert.That(table.Rows[1], Is.EqualTo(new[] { 0.2, 2.0 }));
        Assert.That(table.Labels, Is.EqualTo(new[] { 1.0, -1.0 }));
        var ex = Assert.Throws<ParseException>(() => CsvFiles.ReadData(",x0,x1\n0,0.1,abc\n", "d.csv"))!;
        Assert.That(ex.Message, Does.StartWith("d.csv:2:7:").And.Contain("'abc' in column 'x1'"));
    }

    [Test]
    public void ReadData_QuotedNameWithCommaAndLineBreak_LinesStayRight()
    {
        var table = CsvFiles.ReadData("\"a,b\",\"long\nname\"\n1,2\n3,x\n".Replace("3,x", "3,4"), "d.csv");
        Assert.That(table.Columns, Is.EqualTo(new[] { "a,b", "long\nname" }));
        Assert.That(table.Lines, Is.EqualTo(new[] { 3, 4 }), "a line break inside quotes moves the following lines down");
        var ex = Assert.Throws<ParseException>(() => CsvFiles.ReadData("\"a,b\",\"long\nname\"\n1,2\n3,x\n", "d.csv"))!;
        Assert.That(ex.Message, Does.StartWith("d.csv:4:3:"));
    }

    [Test]
    public void ReadData_StrayQuote_ThrowsWithLine()
    {
        var ex = Assert.Throws<ParseException>(() => CsvFiles.ReadData("x0,x1\n1,2\n3,4\"5\n", "d.csv"))!;
        Assert.That(ex.Message, Does.StartWith("d.csv:3:"));
        Assert.That(ex.Message, Does.Contain("quote"));
    }

    [Test]
    public void ReadData_NoLabel_LabelsNullAndRequireLabelsThrows()
    {
        var table = CsvFiles.ReadData(Lines("x0,x1\n1,2"), "d.csv");
        Assert.That(table.Labels, Is.Null);
        var ex = Assert.Throws<ParseException>(() => table.RequireLabels());
        Assert.That(ex!.Message, Does.StartWith("d.csv:1:1:"));
    }

    private static IEnumerable<TestCaseData> BadData()
    {
        yield return new TestCaseData("x0,x1\n1,2\n3\n", 3, 2, "1 fields").SetName("ReadData_ShortRow_ThrowsAtEndOfRow");
        yield return new TestCaseData("x0,x1\n1,2,3\n", 2, 5, "3 fields").SetName("ReadData_LongRow_ThrowsAtExtraField");
        yield return new TestCaseData("x0,x1\n1, NaN\n", 2, 4, "not finite").SetName("ReadData_NaN_ThrowsAtField");
        yield return new TestCaseData("x0,x1\n1,abc\n", 2, 3, "not a number").SetName("ReadData_NotANumber_ThrowsAtField");
        yield return new TestCaseData("x0,x1\n1,\n", 2, 3, "empty").SetName("ReadData_EmptyField_Throws");
        yield return new TestCaseData("x0,x1\n", 2, 1, "no data rows").SetName("ReadData_NoRows_Throws");
        yield return new TestCaseData("", 1, 1, "empty").SetName("ReadData_EmptyFile_Throws");
        yield return new TestCaseData("0.5,1\n1,2\n", 1, 1, "header").SetName("ReadData_NumericHeader_Throws");
        yield return new TestCaseData("x0,x0\n1,2\n", 1, 4, "twice").SetName("ReadData_RepeatedColumn_Throws");
        yield return new TestCaseData("x0,,x1\n1,2,3\n", 1, 4, "no name").SetName("ReadData_EmptyColumnName_Throws");
        yield return new TestCaseData("x0,x1\n1,inf\n", 2, 3, "not").SetName("ReadData_Infinity_Throws");
    }

    [TestCaseSource(nameof(BadData))]
    public void ReadData_Malformed(string text, int line, int column, string fragment)
    {
        var ex = Assert.Throws<ParseException>(() => CsvFiles.ReadData(Lines(text), "d.csv"));
        Assert.That(ex!.SourceName, Is.EqualTo("d.csv"));
        Assert.That((ex.Line, ex.Column), Is.EqualTo((line, column)), ex.Message);
        Assert.That(ex.Message, Does.Contain(fragment));
    }

    [Test]
    public void InputsFor_MissingColumn_ThrowsNamingIt()
    {
        var table = CsvFiles.ReadData(Lines("x0,label\n1,1"), "d.csv");
        var ex = Assert.Throws<ParseException>(() => table.InputsFor(Circuit2x2()));
        Assert.That(ex!.Message, Does.Contain("'x1'"));
    }

    [TestCase("name,value\nt1,2\nt0,-0.5\n")]
    [TestCase("t0,-0.5\nt1, 2\n")]
    [TestCase("# parameters\nt1,2e0\n\nt0,-5e-1\n")]
    public void ReadParameters_WithOrWithoutHeader_ReturnsCircuitOrder(string text) =>
        Assert.That(CsvFiles.ReadParameters(Lines(text), "p.csv", Circuit2x2()), Is.EqualTo(new[] { -0.5, 2.0 }));

    private static IEnumerable<TestCaseData> BadParameters()
    {
        yield return new TestCaseData("t0,1\nt9,2\n", 2, 1, "no parameter named 't9'").SetName("ReadParameters_UnknownName_Throws");
        yield return new TestCaseData("t0,1\nx0,2\n", 2, 1, "data input").SetName("ReadParameters_InputName_Throws");
        yield return new TestCaseData("t0,1\nt0,2\n", 2, 1, "twice").SetName("ReadParameters_Repeated_Throws");
        yield return new TestCaseData("t0,1\n", 2, 1, "t1").SetName("ReadParameters_Missing_Throws");
        yield return new TestCaseData("t0,1,2\n", 1, 6, "two fields").SetName("ReadParameters_ThreeFields_Throws");
        yield return new TestCaseData("t0,1\nt1,NaN\n", 2, 4, "not finite").SetName("ReadParameters_NaN_Throws");
        yield return new TestCaseData("t0,1\nt1,x\n", 2, 4, "not a number").SetName("ReadParameters_NotANumber_Throws");
    }

    [TestCaseSource(nameof(BadParameters))]
    public void ReadParameters_Malformed(string text, int line, int column, string fragment)
    {
        var ex = Assert.Throws<ParseException>(() => CsvFiles.ReadParameters(Lines(text), "p.csv", Circuit2x2()));
        Assert.That((ex!.Line, ex.Column), Is.EqualTo((line, column)), ex.Message);
        Assert.That(ex.Message, Does.Contain(fragment));
    }

    [Test]
    public void WriteMatrix_ThenReadData_RoundTripsExactly()
    {
        var rng = new QnnSim.Randomness.SeededRandom(7);
        var rows = Enumerable.Range(0, 5).Select(_ => (IReadOnlyList<double>)Enumerable.Range(0, 3).Select(_ => rng.NextGaussian() * 1e-7).ToArray()).ToList();
        var sw = new StringWriter();
        CsvFiles.WriteMatrix(sw, ["a", "b", "c"], rows);
        var table = CsvFiles.ReadData(Lines(sw.ToString()), "m.csv");
        for (int i = 0; i < rows.Count; i++) Assert.That(table.Rows[i], Is.EqualTo(rows[i]));
    }

    [Test]
    public void WriteMatrix_RowOfWrongWidth_Throws() =>
        Assert.Throws<ArgumentException>(() => CsvFiles.WriteMatrix(new StringWriter(), ["a"], [(IReadOnlyList<double>)new[] { 1.0, 2.0 }]));

    [Test]
    public void ReadData_MissingFile_ThrowsInputError() =>
        Assert.Throws<CliInputException>(() => CsvFiles.ReadData(Path.Combine(Path.GetTempPath(), Guid.NewGuid() + ".csv")));
}
