using System.CommandLine;
using QnnSim.Circuits;
using QnnSim.Cli.Common;
using QnnSim.Interop;

namespace QnnSim.Cli.Commands;

/// <summary>
/// <c>qnnsim convert IN OUT</c>: converts a circuit file between OpenQASM 3 (<c>.qasm</c>), Q# (<c>.qs</c>, compiled by
/// Microsoft's QDK through Node.js) and QIR base profile (<c>.ll</c>), choosing both formats by extension through
/// <see cref="CircuitFiles"/>.
/// </summary>
/// <remarks>
/// QIR has no free parameters: a parameterised circuit needs <c>--bind NAME=VALUE</c> for every parameter and input
/// when OUT is <c>.ll</c>. With <c>--bind</c> and a <c>.qs</c> OUT, the Q# file gets a <c>Main</c> entry point with
/// the bound values; without, parameterised circuits become a Q# operation taking <c>Double[]</c> arrays.
/// </remarks>
internal static class ConvertCommand
{
    public static Command Create(CliContext context)
    {
        var input = new Argument<FileInfo>("in") { Description = "Circuit file to read (.qasm, .qs or .ll)." };
        var output = new Argument<FileInfo>("out") { Description = "Circuit file to write (.qasm, .qs or .ll); the extension picks the format." };
        var bind = Bindings.Option("Bind a parameter or data input for the output: NAME=VALUE (repeatable). Required for every variable when OUT is .ll (QIR has no free parameters).");
        var loading = new CircuitLoading();
        var command = new Command("convert", "Convert a circuit between OpenQASM 3 (.qasm), Q# (.qs) and QIR base profile (.ll).") { input, output, bind };
        loading.AddTo(command);
        command.SetAction(parse =>
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            var inPath = parse.GetValue(input)!;
            var outPath = parse.GetValue(output)!;
            string outExt = outPath.Extension.ToLowerInvariant();
            if (!CircuitFiles.Extensions.Contains(outExt))
                throw new CliUsageException($"{outPath}: unknown output format '{outExt}' (allowed: {string.Join(", ", CircuitFiles.Extensions)}).");
            var circuit = loading.Load(parse, inPath);
            var bindings = Bindings.Parse(parse.GetValue(bind));
            string text;
            if (bindings.Count > 0 || (outExt == ".ll" && circuit.ParameterCount + circuit.InputCount > 0))
            {
                var (theta, x) = Bindings.Resolve(circuit, bindings);
                text = outExt switch
                {
                    ".ll" => Qir.Write(circuit, new ParameterValues(theta), new InputValues(x)),
                    ".qs" => QSharp.Write(circuit, new QSharpWriteOptions { Parameters = theta, Inputs = x }),
                    _ => throw new CliUsageException("--bind applies to .ll and .qs output; OpenQASM keeps parameters as input variables."),
                };
            }
            else
            {
                CheckFolder(outPath);
                CircuitFiles.Save(circuit, outPath.FullName);
                text = "";
            }
            if (text.Length > 0)
            {
                CheckFolder(outPath);
                File.WriteAllText(outPath.FullName, text);
            }
            if (outExt == ".qs" && bindings.Count == 0 && QSharp.ReadBackProblems(circuit) is { Count: > 0 } problems)
                context.Error.WriteLine($"qnnsim: warning: {outPath}: QnnSim cannot read this Q# file back: {problems[0]}" +
                    (problems.Count > 1 ? $" (and {problems.Count - 1} more)" : "") +
                    "; bind values with --bind, or keep the circuit in OpenQASM, which keeps every angle expression.");
            context.Out.WriteLine($"{inPath} -> {outPath}: {circuit.QubitCount} qubits, {circuit.Operations.Length} operations, " +
                $"{circuit.ParameterCount} parameters, {circuit.InputCount} inputs, {circuit.MeasuredQubits.Length} measured.");
            return ExitCodes.Success;
        });
        return command;
    }

    private static void CheckFolder(FileInfo outPath)
    {
        string? dir = Path.GetDirectoryName(outPath.FullName);
        if (!string.IsNullOrEmpty(dir) && !Directory.Exists(dir)) throw new CliInputException($"{outPath}: the folder {dir} does not exist.");
    }
}
