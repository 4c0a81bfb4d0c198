using System.CommandLine;

namespace QnnSim.Cli.Commands;

/// <summary>The list of subcommands. Each lives in its own file and exposes <c>static Command Create(CliContext)</c>.</summary>
internal static class CommandRegistry
{
    public static IEnumerable<Command> Create(CliContext context)
    {
        yield return RunCommand.Create(context);
        yield return InfoCommand.Create(context);
        yield return DrawCommand.Create(context);
        yield return BenchCommand.Create(context);
        yield return GradCommand.Create(context);
        yield return JacobianCommand.Create(context);
        yield return ConvertCommand.Create(context);
        yield return ReproduceCommand.Create(context);
        yield return QntkCommand.Create(context);
        yield return TrainCommand.Create(context);
        yield return EnsembleCommand.Create(context);
        yield return ExperimentCommand.Create(context);
        yield return SweepCommand.Create(context);
    }
}
