using System.CommandLine;
using System.Globalization;
using QnnSim.Circuits;
using QnnSim.Cli.Common;

namespace QnnSim.Cli.Commands;

/// <summary><c>qnnsim info FILE</c>: what a circuit file contains (qubits, gate counts, depth, parameters, inputs, readout).</summary>
internal static class InfoCommand
{
    public static Command Create(CliContext context)
    {
        var file = CommonOptions.CircuitFile();
        var json = CommonOptions.Json();
        var noise = new NoiseOptions();
        var loading = new CircuitLoading();
        var command = new Command("info",
            "Describe a circuit file: qubits, operations and gate counts by kind, depth, trainable parameters, data inputs and measured qubits.")
        {
            file, json,
        };
        loading.AddTo(command);
        noise.AddTo(command);
        command.SetAction(parse =>
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            var path = parse.GetValue(file)!;
            var noiseSettings = noise.Parse(parse);
            var circuit = loading.Load(parse, path);
            var model = noiseSettings.Model;
            var noisy = model?.ApplyTo(circuit);
            if (parse.GetValue(json)) WriteJson(context.Out, path.ToString(), circuit, model, noisy);
            else WriteHuman(context, path.ToString(), circuit, model, noisy);
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>Writes the qnnsim.info/1 JSON object.</summary>
    public static void WriteJson(TextWriter output, string fileName, Circuit c, Noise.NoiseModel? model = null, Circuit? noisy = null) => JsonOutput.Write(output, "info", w =>
    {
        w.WriteString("file", fileName);
        w.WriteNumber("qubits", c.QubitCount);
        w.WriteNumber("operations", c.Operations.Length);
        w.WriteNumber("depth", c.Depth());
        w.WriteStartObject("gate_counts");
        foreach (var (name, count) in c.GateCounts()) w.WriteNumber(name, count);
        w.WriteEndObject();
        JsonOutput.WriteArray(w, "parameters", c.ParameterNames);
        JsonOutput.WriteArray(w, "inputs", c.InputNames);
        JsonOutput.WriteArray(w, "measured_qubits", c.MeasuredQubits);
        w.WriteStartObject("parameter_usage");
        for (int j = 0; j < c.ParameterCount; j++) JsonOutput.WriteArray(w, c.ParameterNames[j], c.ParameterUsage[j]);
        w.WriteEndObject();
        if (model is not null)
        {
            w.WriteString("noise", model.ToString());
            w.WriteNumber("noise_channels", noisy!.ChannelCount);
            w.WriteStartObject("noise_channel_counts");
            foreach (var g in noisy.Operations.Where(o => o.IsChannel).GroupBy(o => o.Channel!.ToString()).OrderBy(g => g.Key, StringComparer.Ordinal))
                w.WriteNumber(g.Key, g.Count());
            w.WriteEndObject();
        }
    });

    /// <summary>Writes a summary and the gate-count table for people.</summary>
    public static void WriteHuman(CliContext context, string fileName, Circuit c, Noise.NoiseModel? model = null, Circuit? noisy = null)
    {
        var console = HumanOutput.Stdout(context);
        static string List(IEnumerable<string> names, int count) => count == 0 ? "none" : $"{count}: {string.Join(", ", names)}";
        console.Write(HumanOutput.KeyValues(
        [
            ("file", fileName),
            ("qubits", c.QubitCount.ToString(CultureInfo.InvariantCulture)),
            ("operations", c.Operations.Length.ToString(CultureInfo.InvariantCulture)),
            ("depth", c.Depth().ToString(CultureInfo.InvariantCulture)),
            ("parameters", List(c.ParameterNames, c.ParameterCount)),
            ("inputs", List(c.InputNames, c.InputCount)),
            ("measured qubits", c.MeasuredQubits.IsEmpty ? "none" : string.Join(", ", c.MeasuredQubits) + " (classical bits 0, 1, ...)"),
            ("noise", model is null ? "none (pure-state simulation)" : $"{model}: {noisy!.ChannelCount} channels attached"),
        ]));
        var counts = c.GateCounts();
        if (counts.Count > 0)
        {
            var table = HumanOutput.Table("gate", "count").NumberColumns(1);
            foreach (var (name, count) in counts) table.Row(name, count.ToString(CultureInfo.InvariantCulture));
            console.Write(table);
        }
    }
}
