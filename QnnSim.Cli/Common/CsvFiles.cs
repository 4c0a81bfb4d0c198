using System.Globalization;
using System.Text;
using CsvHelper;
using CsvHelper.Configuration;
using QnnSim.Circuits;

namespace QnnSim.Cli.Common;

/// <summary>A numeric dataset read from CSV: named columns, one row per sample, and the optional label column.</summary>
/// <param name="Source">The file name, for messages.</param>
/// <param name="Columns">The names of the numeric columns (header order, without the label column).</param>
/// <param name="Rows">The samples: Rows[i][c] is column c of sample i.</param>
/// <param name="Labels">The <c>label</c> column, when the file has one.</param>
/// <param name="Lines">The 1-based line of each sample, for messages.</param>
internal sealed record DataTable(string Source, IReadOnlyList<string> Columns, double[][] Rows, double[]? Labels, int[] Lines)
{
    /// <summary>The name of the label column.</summary>
    public const string LabelColumn = "label";

    /// <summary>Number of samples m.</summary>
    public int SampleCount => Rows.Length;

    /// <summary>
    /// The circuit's data inputs for every sample, in the circuit's input order (<see cref="Circuit.InputNames"/>);
    /// columns the circuit does not use are ignored.
    /// </summary>
    /// <exception cref="ParseException">A data input has no column (reported at line 1 of the file).</exception>
    /// <exception cref="CliInputException">A column names a trainable parameter, or the circuit has no data inputs (<see cref="DataInputs.Check"/>).</exception>
    public double[][] InputsFor(Circuit circuit)
    {
        DataInputs.Check(Source, Columns, circuit);
        var index = new int[circuit.InputCount];
        for (int j = 0; j < index.Length; j++)
        {
            index[j] = Columns.ToList().IndexOf(circuit.InputNames[j]);
            if (index[j] < 0)
                throw new ParseException(Source, 1, 1, $"no column for the circuit's data input '{circuit.InputNames[j]}' (columns: {string.Join(", ", Columns)}; inputs: {string.Join(", ", circuit.InputNames)})");
        }
        return [.. Rows.Select(r => index.Select(c => r[c]).ToArray())];
    }

    /// <summary>The labels, or an input error when the file has no label column.</summary>
    /// <exception cref="ParseException">No label column.</exception>
    public double[] RequireLabels() =>
        Labels ?? throw new ParseException(Source, 1, 1, $"no '{LabelColumn}' column (columns: {string.Join(", ", Columns)})");
}

/// <summary>
/// Reading and writing the CSV files of the command line. Reading goes through CsvHelper's parser (RFC 4180:
/// comma-separated, fields optionally in double quotes with "" for a quote and line breaks allowed inside quotes),
/// with invariant-culture numbers, blank lines and lines starting with '#' skipped, and spaces around fields trimmed.
/// A dataset whose first header field is empty has an index column, as pandas' <c>DataFrame.to_csv</c> writes it; that
/// column is skipped. Errors are <see cref="ParseException"/>s with file, line and column (1-based; the column is the
/// first character of the offending field).
/// </summary>
internal static class CsvFiles
{
    /// <summary>Reads a dataset: a header row of names, then numeric rows of the same width.</summary>
    /// <exception cref="CliInputException">The file does not exist.</exception>
    /// <exception cref="ParseException">No header, an empty or repeated column name, a row of the wrong width, a
    /// field that is not a finite number, or no rows.</exception>
    public static DataTable ReadData(string path) => ReadData(ReadText(path), path);

    /// <summary>Reads a dataset from lines of text (see <see cref="ReadData(string)"/>).</summary>
    public static DataTable ReadData(IEnumerable<string> lines, string source) => ReadData(string.Join("\n", lines), source);

    /// <summary>Reads a dataset from text (see <see cref="ReadData(string)"/>).</summary>
    public static DataTable ReadData(string text, string source)
    {
        string[]? header = null;
        int labelIndex = -1, skip = 0;
        var rows = new List<double[]>();
        var labels = new List<double>();
        var lineNumbers = new List<int>();
        int lineNo = 0, lastContent = 0;
        foreach (var record in ReadRecords(text, source))
        {
            lineNo = record.Line;
            lastContent = record.LastLine;
            var fields = record.Fields;
            if (header is null)
            {
                // pandas writes its index as a first column with an empty name: skip that column.
                skip = fields.Count > 1 && fields[0].Text.Length == 0 ? 1 : 0;
                fields = fields.Skip(skip).ToList();
                header = [.. fields.Select(f => f.Text)];
                var seen = new HashSet<string>();
                for (int c = 0; c < fields.Count; c++)
                {
                    if (fields[c].Text.Length == 0) throw new ParseException(source, lineNo, fields[c].Column, $"column {c + 1 + skip} of the header has no name");
                    if (!seen.Add(fields[c].Text)) throw new ParseException(source, lineNo, fields[c].Column, $"the column name '{fields[c].Text}' appears twice");
                    if (double.TryParse(fields[c].Text, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
                        throw new ParseException(source, lineNo, fields[c].Column, $"expected a header row of column names, found the number '{fields[c].Text}'");
                }
                labelIndex = Array.IndexOf(header, DataTable.LabelColumn);
                continue;
            }
            if (fields.Count != header.Length + skip)
            {
                int col = fields.Count > header.Length + skip ? fields[header.Length + skip].Column : record.EndColumn;
                throw new ParseException(source, lineNo, col, $"row has {fields.Count} fields, but the header has {header.Length + skip} ({string.Join(", ", header)})");
            }
            fields = fields.Skip(skip).ToList();
            var row = new double[header.Length - (labelIndex >= 0 ? 1 : 0)];
            int k = 0;
            for (int c = 0; c < fields.Count; c++)
            {
                double v = ParseNumber(fields[c], source, lineNo, header[c]);
                if (c == labelIndex) labels.Add(v);
                else row[k++] = v;
            }
            rows.Add(row);
            lineNumbers.Add(lineNo);
        }
        if (header is null) throw new ParseException(source, Math.Max(CountLines(text), 1), 1, "the file is empty; expected a header row of column names");
        if (rows.Count == 0) throw new ParseException(source, lastContent + 1, 1, "no data rows after the header");
        var columns = header.Where((_, c) => c != labelIndex).ToArray();
        return new DataTable(source, columns, [.. rows], labelIndex >= 0 ? [.. labels] : null, [.. lineNumbers]);
    }

    /// <summary>
    /// Reads parameter values (P.csv): two columns, name and value, one row per trainable parameter, with an optional
    /// header row (<c>name,value</c>). Returns θ in the circuit's parameter order.
    /// </summary>
    /// <exception cref="CliInputException">The file does not exist.</exception>
    /// <exception cref="ParseException">A row without two fields, a value that is not a finite number, an unknown or
    /// repeated name, or parameters missing from the file.</exception>
    public static double[] ReadParameters(string path, Circuit circuit) => ReadParameters(ReadText(path), path, circuit);

    /// <summary>Reads parameter values from lines of text (see <see cref="ReadParameters(string, Circuit)"/>).</summary>
    public static double[] ReadParameters(IEnumerable<string> lines, string source, Circuit circuit) =>
        ReadParameters(string.Join("\n", lines), source, circuit);

    /// <summary>Reads parameter values from text (see <see cref="ReadParameters(string, Circuit)"/>).</summary>
    public static double[] ReadParameters(string text, string source, Circuit circuit)
    {
        var theta = new double[circuit.ParameterCount];
        var set = new int[circuit.ParameterCount]; // line that set each value, 0 when unset
        int lineNo, lastContent = 0;
        bool first = true;
        foreach (var record in ReadRecords(text, source))
        {
            lineNo = record.Line;
            lastContent = record.LastLine;
            var fields = record.Fields;
            if (fields.Count != 2)
            {
                int col = fields.Count > 2 ? fields[2].Column : record.EndColumn;
                throw new ParseException(source, lineNo, col, $"expected two fields, name and value; found {fields.Count}");
            }
            bool isHeader = first && !double.TryParse(fields[1].Text, NumberStyles.Float, CultureInfo.InvariantCulture, out _)
                && circuit.IndexOfParameter(fields[0].Text) < 0;
            first = false;
            if (isHeader) continue;
            string name = fields[0].Text;
            int j = circuit.IndexOfParameter(name);
            if (j < 0)
            {
                string hint = circuit.IndexOfInput(name) >= 0 ? $"'{name}' is a data input, not a trainable parameter" : $"the circuit has no parameter named '{name}'";
                throw new ParseException(source, lineNo, fields[0].Column, $"{hint} (parameters: {(circuit.ParameterCount == 0 ? "none" : string.Join(", ", circuit.ParameterNames))})");
            }
            if (set[j] != 0) throw new ParseException(source, lineNo, fields[0].Column, $"parameter '{name}' is given twice (first on line {set[j]})");
            theta[j] = ParseNumber(fields[1], source, lineNo, name);
            set[j] = lineNo;
        }
        var missing = circuit.ParameterNames.Where((_, j) => set[j] == 0).ToList();
        if (missing.Count > 0)
            throw new ParseException(source, lastContent + 1, 1, $"missing {(missing.Count == 1 ? "a value for parameter" : "values for parameters")} {string.Join(", ", missing)}");
        return theta;
    }

    /// <summary>Writes P.csv: a <c>name,value</c> header and one row per parameter (round-trip precision).</summary>
    public static void WriteParameters(TextWriter writer, IReadOnlyList<string> names, IReadOnlyList<double> values)
    {
        writer.WriteLine("name,value");
        for (int j = 0; j < names.Count; j++) writer.WriteLine($"{names[j]},{Format(values[j])}");
    }

    /// <summary>Writes a matrix as CSV with an optional header row, every number in round-trip precision.</summary>
    /// <param name="writer">The destination.</param>
    /// <param name="header">Column names, or null for none.</param>
    /// <param name="rows">The rows (all of the header's width when a header is given).</param>
    /// <exception cref="ArgumentException">A row of the wrong width.</exception>
    public static void WriteMatrix(TextWriter writer, IReadOnlyList<string>? header, IEnumerable<IReadOnlyList<double>> rows)
    {
        if (header is not null) writer.WriteLine(string.Join(",", header));
        var sb = new StringBuilder();
        int i = 0;
        foreach (var row in rows)
        {
            if (header is not null && row.Count != header.Count)
                throw new ArgumentException($"row {i} has {row.Count} values, but the header has {header.Count} columns.", nameof(rows));
            sb.Clear();
            for (int c = 0; c < row.Count; c++)
            {
                if (c > 0) sb.Append(',');
                sb.Append(Format(row[c]));
            }
            writer.WriteLine(sb);
            i++;
        }
    }

    /// <summary>Writes a rectangular array as CSV (see <see cref="WriteMatrix(TextWriter, IReadOnlyList{string}?, IEnumerable{IReadOnlyList{double}})"/>).</summary>
    public static void WriteMatrix(TextWriter writer, IReadOnlyList<string>? header, double[,] matrix)
    {
        int r = matrix.GetLength(0), c = matrix.GetLength(1);
        WriteMatrix(writer, header, Enumerable.Range(0, r).Select(i => (IReadOnlyList<double>)Enumerable.Range(0, c).Select(j => matrix[i, j]).ToArray()));
    }

    /// <summary>Writes a matrix to a file (created or replaced).</summary>
    public static void WriteMatrix(string path, IReadOnlyList<string>? header, IEnumerable<IReadOnlyList<double>> rows)
    {
        using var writer = new StreamWriter(path, append: false, new UTF8Encoding(false));
        WriteMatrix(writer, header, rows);
    }

    /// <summary>A number in invariant round-trip form ("R"): reading it back gives the same double.</summary>
    public static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static string ReadText(string path)
    {
        if (Directory.Exists(path)) throw new CliInputException($"{path}: is a directory, not a CSV file.");
        if (!File.Exists(path)) throw new CliInputException($"{path}: no such file.");
        try
        {
            return File.ReadAllText(path); // UTF-8 unless a byte-order mark says otherwise; the mark is dropped
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CliInputException($"{path}: {ex.Message}");
        }
    }

    private static int CountLines(string text) => text.Length == 0 ? 1 : text.Count(c => c == '\n') + (text.EndsWith('\n') ? 0 : 1);

    /// <summary>One field: its text (unquoted, trimmed) and the 1-based column of its first character.</summary>
    private readonly record struct Field(string Text, int Column);

    /// <summary>One record: the line it starts on, the line it ends on, its fields, and the column just past its last character.</summary>
    private sealed record CsvRecord(int Line, int LastLine, List<Field> Fields, int EndColumn);

    /// <summary>
    /// The records of a CSV text, through CsvHelper's parser; blank records and records whose first field starts with
    /// '#' are skipped. Field columns come from the raw record text CsvHelper returns.
    /// </summary>
    private static IEnumerable<CsvRecord> ReadRecords(string text, string source)
    {
        if (text.Length > 0 && text[0] == '\uFEFF') text = text[1..]; // byte-order mark
        var config = new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            HasHeaderRecord = false,
            IgnoreBlankLines = true,
            AllowComments = true,
            Comment = '#',
            TrimOptions = TrimOptions.Trim,
            Mode = CsvMode.RFC4180,
            DetectDelimiter = false,
            BadDataFound = args => throw new ParseException(source, Math.Max(args.Context.Parser?.RawRow ?? 1, 1), 1,
                $"malformed quoted field {args.Field.Trim()}: a quote inside a field must be doubled (\"\") and the field enclosed in quotes"),
        };
        using var reader = new StringReader(text);
        using var parser = new CsvParser(reader, config);
        while (true)
        {
            bool more;
            try { more = parser.Read(); }
            catch (CsvHelperException e)
            {
                throw new ParseException(source, Math.Max(parser.RawRow, 1), 1, $"malformed CSV: {e.Message.Split('\n')[0]}");
            }
            catch (Exception e) when (e is IndexOutOfRangeException or ArgumentOutOfRangeException or NullReferenceException or InvalidOperationException)
            {
                // CsvHelper 33.1's parser can fail inside its own buffer handling on some malformed texts (found by the
                // fuzzer: IndexOutOfRangeException in CsvParser.ReadLine); the user gets the line, never the crash.
                throw new ParseException(source, Math.Max(parser.RawRow, 1), 1, $"malformed CSV: the CSV reader could not read past this line");
            }
            if (!more) break;
            string raw = parser.RawRecord.TrimEnd('\r', '\n');
            string[] values = parser.Record ?? [];
            if (values.Length == 0 || (values.Length == 1 && values[0].Length == 0)) continue;
            if (raw.TrimStart().StartsWith('#')) continue;
            int lastLine = parser.RawRow;
            int line = lastLine - raw.Count(c => c == '\n');
            var starts = FieldStarts(raw);
            var fields = new List<Field>(values.Length);
            for (int k = 0; k < values.Length; k++)
            {
                int offset = k < starts.Count ? starts[k] : raw.Length;
                while (offset < raw.Length && raw[offset] == ' ') offset++;
                int lineStart = raw.LastIndexOf('\n', Math.Max(offset - 1, 0)) + 1;
                if (offset == 0) lineStart = 0;
                fields.Add(new Field(values[k], offset - lineStart + 1));
            }
            int endColumn = raw.TrimEnd().Length - (raw.LastIndexOf('\n') + 1) + 1;
            yield return new CsvRecord(line, lastLine, fields, endColumn);
        }
    }

    /// <summary>The offset in a raw record where each field starts (commas inside double quotes do not separate).</summary>
    private static List<int> FieldStarts(string raw)
    {
        var starts = new List<int> { 0 };
        bool quoted = false;
        for (int i = 0; i < raw.Length; i++)
        {
            if (raw[i] == '"') quoted = !quoted;
            else if (raw[i] == ',' && !quoted) starts.Add(i + 1);
        }
        return starts;
    }

    private static double ParseNumber(Field field, string source, int line, string column)
    {
        if (field.Text.Length == 0) throw new ParseException(source, line, field.Column, $"column '{column}' is empty; expected a number");
        if (!double.TryParse(field.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v))
            throw new ParseException(source, line, field.Column, $"'{field.Text}' in column '{column}' is not a number");
        if (!double.IsFinite(v))
            throw new ParseException(source, line, field.Column, $"'{field.Text}' in column '{column}' is not finite; a finite real number is required");
        return v;
    }
}
