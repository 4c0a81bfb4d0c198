using System.Text;
using QnnSim.Randomness;
using Qasm = QnnSim.Interop.OpenQasm;

namespace QnnSim.Tests.Interop.OpenQasm;

/// <summary>
/// Thousands of seeded mutations of the sample files: the reader either succeeds or throws
/// <see cref="ParseException"/>; nothing else escapes, and a wrapped inner exception is only ever a validation
/// error (ArgumentException) from the circuit model, never a bug such as a null dereference or an index error.
/// </summary>
[TestFixture]
public class OpenQasmFuzzTests
{
    private const int Mutants = 4000;

    private static readonly string[] Fragments =
    [
        ";", ",", "(", ")", "[", "]", "{", "}", "@", "->", "=", "**", "-", "+", "*", "/", "%", ":", "\"", "'", "$", "#",
        "/*", "*/", "//", "\n", " ", "0", "1", "-1", "1e999", "10**12", "1e-3", ".5", "π", "tau", "pi", "q", "q[0]", "q[99]",
        "qubit", "qubit[2] r;", "bit", "gate", "gate g a { x a; }", "input", "input float[64] z;", "input array[float[64], 3] w;",
        "measure", "measure q;", "reset q;", "barrier", "ctrl @", "ctrl(2) @", "negctrl @", "inv @", "pow(2) @", "pow(10**9) @",
        "pow(-1) @", "gphase(1);", "if", "for", "while", "def", "const float[64] k = 1;", "#pragma qnnsim inputs z",
        "#pragma qnnsim inputs", "OPENQASM 3;", "include \"stdgates.inc\";", "cx", "rx(", "sin(", "ln(0)", "sqrt(-1)",
        "((((((((", "))))))))", "x[0]", "theta[1]", "\0", "\uFFFF", "\r\n",
    ];

    private const string ReplacementChars = " ;,()[]{}@-+*/=0123456789qxabc.\"\n";

    private static string Mutate(string text, SeededRandom rng)
    {
        var sb = new StringBuilder(text);
        int edits = 1 + (int)rng.NextInt64(4);
        for (int e = 0; e < edits; e++)
        {
            int pos = sb.Length == 0 ? 0 : (int)rng.NextInt64(sb.Length);
            switch (rng.NextInt64(6))
            {
                case 0 when sb.Length > 0: // delete a character
                    sb.Remove(pos, 1);
                    break;
                case 1: // insert a random printable or special character
                    sb.Insert(pos, (char)(rng.NextInt64(2) == 0 ? 32 + rng.NextInt64(95) : rng.NextInt64(0x3000)));
                    break;
                case 2 when sb.Length > 0: // replace a character
                    sb[pos] = ReplacementChars[(int)rng.NextInt64(ReplacementChars.Length)];
                    break;
                case 3: // insert a token or statement fragment
                    sb.Insert(pos, Fragments[rng.NextInt64(Fragments.Length)]);
                    break;
                case 4 when sb.Length > 0: // delete a run (a token or more)
                    sb.Remove(pos, Math.Min(sb.Length - pos, 1 + (int)rng.NextInt64(12)));
                    break;
                default: // duplicate a run (repeats statements, parentheses, modifiers)
                    if (sb.Length == 0) break;
                    int len = Math.Min(sb.Length - pos, 1 + (int)rng.NextInt64(40));
                    sb.Insert(pos, sb.ToString(pos, len));
                    break;
            }
        }
        return sb.ToString();
    }

    private static readonly string[] Samples =
        ["hardware_efficient.qasm", "hea_trainable.qasm", "data_reuploading.qasm", "qasm2_legacy.qasm", "gates_showcase.qasm", "with_measurements.qasm"];

    [Test]
    public void Parse_MutatedSamples_ThrowOnlyParseException()
    {
        var texts = Samples.Select(s => File.ReadAllText(OpenQasmTestSupport.SamplePath(s))).ToArray();
        var rng = new SeededRandom(20261123);
        int parsed = 0, rejected = 0;
        for (int i = 0; i < Mutants; i++)
        {
            string mutant = Mutate(texts[i % texts.Length], rng);
            try
            {
                var c = Qasm.Parse(mutant, "mutant.qasm");
                Assert.That(c.QubitCount, Is.GreaterThan(0));
                parsed++;
            }
            catch (ParseException ex)
            {
                rejected++;
                Assert.That(ex.Line, Is.GreaterThan(0), mutant);
                Assert.That(ex.Column, Is.GreaterThan(0), mutant);
                if (ex.InnerException is not null)
                    Assert.That(ex.InnerException, Is.InstanceOf<ArgumentException>(),
                        $"mutant {i} raised an unexpected {ex.InnerException.GetType().Name}: {ex.InnerException}\n---\n{mutant}");
            }
            catch (Exception ex)
            {
                Assert.Fail($"mutant {i} escaped as {ex.GetType().Name}: {ex}\n---\n{mutant}");
            }
        }
        // Both outcomes occur, so the mutations are neither all harmless nor all fatal.
        Assert.That(parsed, Is.GreaterThan(Mutants / 50));
        Assert.That(rejected, Is.GreaterThan(Mutants / 2));
    }

    [Test]
    public void Parse_RandomTokenSoup_ThrowsOnlyParseException()
    {
        var rng = new SeededRandom(7);
        for (int i = 0; i < 1000; i++)
        {
            var sb = new StringBuilder("OPENQASM 3;\nqubit[3] q;\n");
            int n = 1 + (int)rng.NextInt64(30);
            for (int k = 0; k < n; k++) sb.Append(Fragments[rng.NextInt64(Fragments.Length)]).Append(rng.NextInt64(3) == 0 ? " " : "");
            try
            {
                Qasm.Parse(sb.ToString(), "soup.qasm");
            }
            catch (ParseException ex)
            {
                if (ex.InnerException is not null)
                    Assert.That(ex.InnerException, Is.InstanceOf<ArgumentException>(), ex.InnerException.ToString());
            }
            catch (Exception ex)
            {
                Assert.Fail($"soup {i} escaped as {ex.GetType().Name}: {ex}\n---\n{sb}");
            }
        }
    }
}
