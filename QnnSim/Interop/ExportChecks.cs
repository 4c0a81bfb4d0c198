using QnnSim.Circuits;

namespace QnnSim.Interop;

/// <summary>Checks every writer makes before it produces text.</summary>
internal static class ExportChecks
{
    /// <summary>
    /// Refuses a circuit with noise channels: OpenQASM 3, Q# and QIR have no standard form for a channel, and a writer
    /// must never drop noise silently. Thrown before any text is produced.
    /// </summary>
    /// <exception cref="NotSupportedException">The circuit contains noise channels (the message names the first).</exception>
    public static void RefuseNoise(Circuit circuit, string format)
    {
        if (!circuit.HasNoise) return;
        int first = circuit.Operations.IndexOf(circuit.Operations.First(o => o.IsChannel));
        throw new NotSupportedException(
            $"the circuit has {circuit.ChannelCount} noise channel(s) (first: operation {first}, {circuit.Operations[first]}); {format} has no form for noise channels, " +
            "so nothing was written. Export the noiseless circuit and pass the noise model separately (--noise SPEC or a JSON noise model, docs/noise.md).");
    }
}
