using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Vigil.Simulation.Datasets.Csv;
using Vigil.Transactions;

namespace Vigil.Web.Scoring;

/// <summary>Reads the bodies MLflow's scoring server accepts at <c>/invocations</c> into rows of a model's inputs.</summary>
/// <remarks>
/// Formats: the seed's <c>{"columns":[…],"data":[[…]]}</c> (answered with a bare list, as MLflow 1 did), and MLflow 2's
/// <c>dataframe_split</c>, <c>dataframe_records</c>, <c>instances</c> and <c>inputs</c> (answered with
/// <c>{"predictions":[…]}</c>). Columns are matched to inputs by name, exactly or else ignoring case (the seed sends
/// <c>Amount</c>); a ratio input is computed from its two columns; extra columns are ignored; null is a missing value.
/// </remarks>
public sealed class InvocationRequest
{
    private InvocationRequest(List<double[]> rows, bool legacy)
    {
        Rows = rows;
        Legacy = legacy;
    }

    public IReadOnlyList<double[]> Rows { get; }

    /// <summary>Whether the body was the bare columns/data form, answered with a bare list.</summary>
    public bool Legacy { get; }

    /// <exception cref="ScoringRequestException">The body is not one of the formats, or lacks an input, or has a value that is not a number.</exception>
    public static InvocationRequest Parse(ReadOnlyMemory<byte> body, InputColumns inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException e)
        {
            throw new ScoringRequestException($"the body is not JSON: {e.Message}");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new ScoringRequestException("the body must be a JSON object: {\"dataframe_split\":…}, {\"dataframe_records\":…}, {\"instances\":…}, {\"inputs\":…} or {\"columns\":…,\"data\":…}");
            }

            if (root.TryGetProperty("dataframe_split", out var split))
            {
                return new(Split(split, inputs), legacy: false);
            }

            if (root.TryGetProperty("dataframe_records", out var records))
            {
                return new(Records(records, inputs, "dataframe_records"), legacy: false);
            }

            foreach (var name in new[] { "instances", "inputs" })
            {
                if (root.TryGetProperty(name, out var instances))
                {
                    return new(instances.ValueKind == JsonValueKind.Object ? Columnar(instances, inputs, name) : Records(instances, inputs, name), legacy: false);
                }
            }

            if (root.TryGetProperty("columns", out _) || root.TryGetProperty("data", out _))
            {
                return new(Split(root, inputs), legacy: true);
            }

            throw new ScoringRequestException("unknown body: send {\"dataframe_split\":{\"columns\":[…],\"data\":[[…]]}}, {\"dataframe_records\":[{…}]}, {\"instances\":[…]}, {\"inputs\":…} or {\"columns\":[…],\"data\":[[…]]}");
        }
    }

    /// <summary>
    /// A <c>text/csv</c> body as MLflow reads it with pandas: a header of column names, then one row per line (RFC 4180
    /// quoting); an empty cell, <c>NA</c>, <c>NaN</c> or <c>null</c> is a missing value. Answered with <c>{"predictions":[…]}</c>.
    /// </summary>
    /// <exception cref="ScoringRequestException">No header, a row of another width, an unclosed quote, or a cell that is not a number.</exception>
    public static InvocationRequest ParseCsv(ReadOnlyMemory<byte> body, InputColumns inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var bytes = MemoryMarshal.TryGetArray(body, out var segment) ? segment : new ArraySegment<byte>(body.ToArray());
        using var reader = new CsvReader(new MemoryStream(bytes.Array!, bytes.Offset, bytes.Count, writable: false));
        if (!reader.Read())
        {
            throw new ScoringRequestException("the CSV body has no header: its first line names the columns");
        }

        ThrowIfDamaged(reader, "the header");
        var names = new List<string>(reader.Row.Count);
        for (var i = 0; i < reader.Row.Count; i++)
        {
            names.Add(Encoding.UTF8.GetString(reader.Row[i]).Trim());
        }

        if (names.GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            throw new ScoringRequestException($"the CSV header names {TransactionLimits.Show(Encoding.UTF8.GetBytes(twice.Key))} twice");
        }

        var positions = inputs.Locate(names, "the CSV header");
        var rows = new List<double[]>();
        while (reader.Read())
        {
            var where = $"CSV line {reader.Line}";
            ThrowIfDamaged(reader, where);
            if (reader.Row.Count != names.Count)
            {
                throw new ScoringRequestException($"{where} has {reader.Row.Count} cells; the header names {names.Count} columns");
            }

            var row = reader.Row;
            rows.Add(inputs.Row(column => Cell(row[positions[column]], $"{where}, column {names[positions[column]]}", inputs.IsAmount(column))));
        }

        return new(Checked(rows), legacy: false);
    }

    private static void ThrowIfDamaged(CsvReader reader, string where)
    {
        if (reader.Row.IsUnterminated || reader.Row.IsOversized)
        {
            throw new ScoringRequestException($"{where} (line {reader.Line}) has a quoted cell that is never closed");
        }
    }

    /// <summary>A CSV cell as the model takes it: pandas' usual missing-value marks are missing (NaN), anything else a number.</summary>
    private static double Cell(ReadOnlySpan<byte> cell, string where, bool amount)
    {
        cell = cell.Trim((byte)' ');
        if (cell.IsEmpty || cell.SequenceEqual("NA"u8) || cell.SequenceEqual("N/A"u8) || cell.SequenceEqual("NaN"u8) || cell.SequenceEqual("nan"u8)
            || cell.SequenceEqual("null"u8) || cell.SequenceEqual("NULL"u8) || cell.SequenceEqual("None"u8))
        {
            return double.NaN;
        }

        return TransactionLimits.TryParseNumber(cell, out var number)
            ? Checked(number, cell, where, amount)
            : throw new ScoringRequestException($"{where} must be a number or empty, got {TransactionLimits.Show(cell)}");
    }

    private static List<double[]> Split(JsonElement split, InputColumns inputs)
    {
        if (split.ValueKind != JsonValueKind.Object || !split.TryGetProperty("columns", out var columns) || columns.ValueKind != JsonValueKind.Array
            || !split.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Array)
        {
            throw new ScoringRequestException("a split data frame needs \"columns\" (an array of names) and \"data\" (an array of rows)");
        }

        var names = columns.EnumerateArray().Select(c => c.ValueKind == JsonValueKind.String ? c.GetString()! : throw new ScoringRequestException("\"columns\" must hold names")).ToList();
        if (names.GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            throw new ScoringRequestException($"\"columns\" names {twice.Key} twice");
        }

        var positions = inputs.Locate(names);
        var rows = new List<double[]>();
        var r = 0;
        foreach (var row in data.EnumerateArray())
        {
            if (row.ValueKind != JsonValueKind.Array || row.GetArrayLength() != names.Count)
            {
                throw new ScoringRequestException($"data row {r} must be an array of {names.Count} values, one per column");
            }

            var values = row.EnumerateArray().ToList();
            rows.Add(inputs.Row(column => Number(values[positions[column]], $"data[{r}][{positions[column]}]", inputs.IsAmount(column))));
            r++;
        }

        return Checked(rows);
    }

    private static List<double[]> Records(JsonElement records, InputColumns inputs, string name)
    {
        if (records.ValueKind != JsonValueKind.Array)
        {
            throw new ScoringRequestException($"\"{name}\" must be an array of records");
        }

        var rows = new List<double[]>();
        var r = 0;
        foreach (var record in records.EnumerateArray())
        {
            var index = r;
            if (record.ValueKind == JsonValueKind.Array && name != "dataframe_records")
            {
                // A bare row: values in the model's input order.
                var values = record.EnumerateArray().ToList();
                if (values.Count != inputs.Simple.Count)
                {
                    throw new ScoringRequestException($"{name}[{r}] has {values.Count} values; the model takes {inputs.Simple.Count} ({string.Join(", ", inputs.Simple)})");
                }

                rows.Add(inputs.Row(column => Number(values[column], $"{name}[{index}][{column}]", inputs.IsAmount(column))));
            }
            else if (record.ValueKind == JsonValueKind.Object)
            {
                var fields = Fields(record, $"{name}[{r}]");
                var positions = inputs.Locate(fields.Keys.ToList(), $"{name}[{r}]");
                var names = fields.Keys.ToList();
                rows.Add(inputs.Row(column => Number(fields[names[positions[column]]], $"{name}[{index}].{names[positions[column]]}", inputs.IsAmount(column))));
            }
            else
            {
                throw new ScoringRequestException($"{name}[{r}] must be a record (a JSON object){(name == "dataframe_records" ? string.Empty : " or an array of values")}");
            }

            r++;
        }

        return Checked(rows);
    }

    private static List<double[]> Columnar(JsonElement columns, InputColumns inputs, string name)
    {
        var fields = Fields(columns, $"\"{name}\"");
        var names = fields.Keys.ToList();
        var positions = inputs.Locate(names);
        var length = -1;
        foreach (var (key, value) in fields)
        {
            if (value.ValueKind != JsonValueKind.Array || (length >= 0 && value.GetArrayLength() != length))
            {
                throw new ScoringRequestException($"\"{name}\" as columns needs arrays of one length; {key} is not");
            }

            length = value.GetArrayLength();
        }

        var rows = new List<double[]>();
        for (var r = 0; r < Math.Max(0, length); r++)
        {
            var index = r;
            rows.Add(inputs.Row(column => Number(fields[names[positions[column]]][index], $"{name}.{names[positions[column]]}[{index}]", inputs.IsAmount(column))));
        }

        return Checked(rows);
    }

    private static List<double[]> Checked(List<double[]> rows) =>
        rows.Count > 0 ? rows : throw new ScoringRequestException("no rows to score");

    /// <summary>An object's members by name; a name given twice is refused, as no one value of it would be the right one.</summary>
    private static Dictionary<string, JsonElement> Fields(JsonElement record, string where)
    {
        var fields = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var property in record.EnumerateObject())
        {
            if (!fields.TryAdd(property.Name, property.Value))
            {
                throw new ScoringRequestException($"{where} has the field {property.Name} twice");
            }
        }

        return fields;
    }

    /// <summary>A value as the model takes it (null: missing), under the limits every entry point applies (<see cref="TransactionLimits"/>).</summary>
    private static double Number(JsonElement value, string where, bool amount)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            return double.NaN;
        }

        if (value.ValueKind != JsonValueKind.Number)
        {
            throw new ScoringRequestException($"{where} must be a number or null, got {value.ValueKind.ToString().ToLowerInvariant()}");
        }

        return Checked(value.TryGetDouble(out var d) ? d : double.PositiveInfinity, Encoding.UTF8.GetBytes(value.GetRawText()), where, amount);
    }

    private static double Checked(double number, ReadOnlySpan<byte> text, string where, bool amount)
    {
        if (amount && TransactionLimits.CheckAmount(number, text) is { } refused)
        {
            throw new ScoringRequestException($"{where}: {refused.Reason}");
        }

        return TransactionLimits.CheckInput(number) is { } problem ? throw new ScoringRequestException($"{where} {problem}") : number;
    }
}
