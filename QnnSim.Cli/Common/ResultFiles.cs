using System.Numerics;
using QnnSim.Interop.Npy;

namespace QnnSim.Cli.Common;

/// <summary>
/// Writing --out result files by extension: <c>.npy</c> (NumPy, little-endian float64 or complex128, C order; see
/// <see cref="NpyFile"/>) or CSV (anything else). docs/cli.md documents each command's shape and order.
/// </summary>
internal static class ResultFiles
{
    /// <summary>Whether the file is a NumPy .npy file (by extension, case-insensitive).</summary>
    public static bool IsNpy(FileInfo file) => file.Extension.Equals(".npy", StringComparison.OrdinalIgnoreCase);

    /// <summary>Writes a float64 array (C order) of the given shape.</summary>
    /// <exception cref="CliInputException">The file cannot be written (the message names it).</exception>
    public static void WriteNpy(FileInfo file, ReadOnlySpan<double> data, params ReadOnlySpan<int> shape)
    {
        try { NpyFile.Write(file.FullName, data, shape); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new CliInputException($"{file}: cannot write: {e.Message}"); }
    }

    /// <summary>Writes a float64 matrix (shape rows × columns).</summary>
    /// <exception cref="CliInputException">The file cannot be written (the message names it).</exception>
    public static void WriteNpy(FileInfo file, double[,] matrix)
    {
        try { NpyFile.Write(file.FullName, matrix); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new CliInputException($"{file}: cannot write: {e.Message}"); }
    }

    /// <summary>Writes a complex128 array (C order) of the given shape.</summary>
    /// <exception cref="CliInputException">The file cannot be written (the message names it).</exception>
    public static void WriteNpy(FileInfo file, ReadOnlySpan<Complex> data, params ReadOnlySpan<int> shape)
    {
        try { NpyFile.Write(file.FullName, data, shape); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new CliInputException($"{file}: cannot write: {e.Message}"); }
    }

    /// <summary>Writes a matrix as CSV (see <see cref="CsvFiles.WriteMatrix(string, IReadOnlyList{string}?, IEnumerable{IReadOnlyList{double}})"/>).</summary>
    /// <exception cref="CliInputException">The file cannot be written (the message names it).</exception>
    /// <param name="file">The file (created or replaced).</param>
    /// <param name="header">Column names, or null.</param>
    /// <param name="rows">The rows.</param>
    /// <param name="comment">A first line written as "# comment" (the run's settings, e.g. its noise model), or null for none.</param>
    public static void WriteCsv(FileInfo file, IReadOnlyList<string>? header, IEnumerable<IReadOnlyList<double>> rows, string? comment = null)
    {
        try
        {
            if (comment is null) CsvFiles.WriteMatrix(file.FullName, header, rows);
            else
            {
                using var writer = new StreamWriter(file.FullName, append: false, new System.Text.UTF8Encoding(false));
                writer.WriteLine("# " + comment.ReplaceLineEndings(" "));
                CsvFiles.WriteMatrix(writer, header, rows);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new CliInputException($"{file}: cannot write: {e.Message}"); }
    }
}
