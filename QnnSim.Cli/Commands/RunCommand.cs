using System.CommandLine;

namespace QnnSim.Cli.Commands;

/// <summary>qnnsim run FILE: expectation values, counts and the state of a circuit file.</summary>
internal static class RunCommand
{
    public static Command Create(CliContext context)
    {
        var file = new Argument<FileInfo>("file") { Description = "Circuit file (.qasm, .qs or .ll)." };
        var command = new Command("run", "Run a circuit file and print expectation values (and counts or the state when asked).") { file };
        command.SetAction(parse =>
        {
            context.Out.WriteLine($"qnnsim run {parse.GetValue(file)?.Name}: not implemented yet");
            return ExitCodes.InternalError;
        });
        return command;
    }
}
