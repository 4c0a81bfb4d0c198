using System.Text.Json;
using QnnSim.Cli.Common;

namespace QnnSim.Tests.Cli;

[TestFixture]
public class JsonOutputTests
{
    [Test]
    public void Write_AnyBody_SchemaIsFirstKey()
    {
        var sw = new StringWriter();
        JsonOutput.Write(sw, "grad", w => { w.WriteNumber("value", 1.5); w.WriteString("observable", "Z0 + 0.5*X1"); });
        using var doc = JsonDocument.Parse(sw.ToString());
        var first = doc.RootElement.EnumerateObject().First();
        Assert.That(first.Name, Is.EqualTo("schema"));
        Assert.That(first.Value.GetString(), Is.EqualTo("qnnsim.grad/1"));
        Assert.That(doc.RootElement.GetProperty("value").GetDouble(), Is.EqualTo(1.5));
        Assert.That(sw.ToString(), Does.Contain("Z0 + 0.5*X1"), "'+' must not be escaped");
    }

    [Test]
    public void WriteNumber_NonFinite_WritesNull()
    {
        string text = JsonOutput.ToText("x", w => { JsonOutput.WriteNumber(w, "a", double.NaN); JsonOutput.WriteArray(w, "b", [1.0, double.PositiveInfinity]); });
        using var doc = JsonDocument.Parse(text);
        Assert.That(doc.RootElement.GetProperty("a").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(doc.RootElement.GetProperty("b")[1].ValueKind, Is.EqualTo(JsonValueKind.Null));
    }

    [Test]
    public void WriteNumber_Double_RoundTripsExactly()
    {
        double v = 0.1 + 0.2;
        using var doc = JsonDocument.Parse(JsonOutput.ToText("x", w => JsonOutput.WriteNumber(w, "v", v)));
        Assert.That(doc.RootElement.GetProperty("v").GetDouble(), Is.EqualTo(v));
    }

    [TestCase("TraceRatio", "trace_ratio")]
    [TestCase("criticalLearningRate", "critical_learning_rate")]
    [TestCase("value", "value")]
    public void Key_Name_IsSnakeCase(string name, string expected) => Assert.That(JsonOutput.Key(name), Is.EqualTo(expected));
}
