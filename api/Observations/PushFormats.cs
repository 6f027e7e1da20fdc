using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using System.Text;
using System.Text.Json;
using Csp.Api.Infrastructure;
using CsvHelper;

namespace Csp.Api.Observations;

/// <summary>
/// The push's three body formats, each read one row at a time as the bytes arrive. A body that cannot be read is a 400 naming
/// the field; in CSV and NDJSON the message names the line (1-based, the header being line 1 of a CSV body).
/// </summary>
internal static class PushFormats
{
    /// <summary>The CSV columns a row is made of: the names of the CSV download.</summary>
    public static readonly string[] Columns = ["indicator", "period", "area", "value", "status", "note", "reason", "delete"];

    /// <summary>Columns of the download that a push ignores, so a downloaded file can be edited and sent back.</summary>
    public static readonly string[] Ignored = ["period_start", "period_end", "area_name", "updated_at"];

    private const string Required = "'observations' is required (a list of rows).";

    // ---- JSON: {"observations": [ {row}, … ]} ------------------------------------------------------------------------

    public static async Task ReadJsonAsync(PipeReader body, Action<ObservationInput> add, JsonSerializerOptions options, CancellationToken ct)
    {
        var parser = new JsonRowsParser(options, add);
        while (true)
        {
            var read = await body.ReadAsync(ct);
            var consumed = parser.Step(read.Buffer, read.IsCompleted);
            body.AdvanceTo(consumed, read.Buffer.End);
            if (read.IsCompleted) break;
        }
        parser.Finish();
    }

    /// <summary>A resumable reader of the JSON body: each call reads what the buffer holds, up to the last complete row.</summary>
    private sealed class JsonRowsParser(JsonSerializerOptions options, Action<ObservationInput> add)
    {
        private enum Phase { Start, Property, Value, Rows, End }

        private JsonReaderState state = new(new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        private Phase phase = Phase.Start;
        private int index;
        private bool sawRows;

        public SequencePosition Step(ReadOnlySequence<byte> buffer, bool final)
        {
            var reader = new Utf8JsonReader(buffer, final, state);
            try
            {
                while (true)
                {
                    var before = reader;
                    if (!reader.Read()) break;
                    if (phase == Phase.Rows)
                    {
                        if (reader.TokenType == JsonTokenType.EndArray) { phase = Phase.Property; continue; }
                        if (reader.TokenType == JsonTokenType.Null) throw BodyProblemException.Invalid($"observations[{index}]", "'observations' holds a null row.");
                        if (reader.TokenType != JsonTokenType.StartObject)
                            throw BodyProblemException.Invalid($"observations[{index}]", $"Row {index} is not an object.");
                        var start = reader;
                        if (!reader.TrySkip())
                        {
                            reader = before;
                            break;
                        }
                        add(Row(ref start));
                        index++;
                        continue;
                    }
                    Advance(ref reader);
                }
            }
            catch (JsonException e)
            {
                throw BodyProblemException.Invalid("body", $"The body is not valid JSON ({e.Message.Split(" Path:")[0]})");
            }
            state = reader.CurrentState;
            return reader.Position;
        }

        private ObservationInput Row(ref Utf8JsonReader start)
        {
            try
            {
                return JsonSerializer.Deserialize<ObservationInput>(ref start, options)!;
            }
            catch (JsonException e)
            {
                var path = e.Path is null or "$" ? "" : e.Path[1..];
                throw BodyProblemException.Invalid($"observations[{index}]{path}",
                    $"The value at $.observations[{index}]{path} has the wrong type or format, or is not a property of a row.");
            }
        }

        private void Advance(ref Utf8JsonReader reader)
        {
            switch (phase)
            {
                case Phase.Start when reader.TokenType == JsonTokenType.StartObject:
                    phase = Phase.Property;
                    return;
                case Phase.Start:
                    throw BodyProblemException.Invalid("body", "The body is a JSON object: {\"observations\": [ … ]}.");
                case Phase.Property when reader.TokenType == JsonTokenType.EndObject:
                    phase = Phase.End;
                    return;
                case Phase.Property:
                    var name = reader.GetString()!;
                    if (name != "observations") throw BodyProblemException.Invalid(name, $"'{name}' is not a property of this body.");
                    if (sawRows) throw BodyProblemException.Invalid(name, "'observations' is sent twice.");
                    sawRows = true;
                    phase = Phase.Value;
                    return;
                case Phase.Value when reader.TokenType == JsonTokenType.StartArray:
                    phase = Phase.Rows;
                    return;
                case Phase.Value:
                    throw BodyProblemException.Invalid("observations", Required);
                default:
                    throw BodyProblemException.Invalid("body", "The body holds something after its JSON object.");
            }
        }

        public void Finish()
        {
            if (phase == Phase.End && sawRows) return;
            if (phase is Phase.End or Phase.Start) throw BodyProblemException.Invalid("observations", Required);
            throw BodyProblemException.Invalid("body", "The body ends before its JSON object does.");
        }
    }

    // ---- NDJSON: one row object per line ----------------------------------------------------------------------------

    public static async Task ReadNdJsonAsync(PipeReader body, Action<ObservationInput> add, JsonSerializerOptions options, CancellationToken ct)
    {
        var line = 0;
        while (true)
        {
            var read = await body.ReadAsync(ct);
            var buffer = read.Buffer;
            while (buffer.PositionOf((byte)'\n') is { } end)
            {
                Line(buffer.Slice(0, end), ++line, add, options);
                buffer = buffer.Slice(buffer.GetPosition(1, end));
            }
            if (read.IsCompleted)
            {
                if (!buffer.IsEmpty) Line(buffer, ++line, add, options);
                body.AdvanceTo(buffer.End);
                return;
            }
            body.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private static void Line(ReadOnlySequence<byte> bytes, int line, Action<ObservationInput> add, JsonSerializerOptions options)
    {
        var span = bytes.IsSingleSegment ? bytes.FirstSpan : bytes.ToArray();
        span = span.TrimEnd("\r"u8).Trim(" \t"u8);
        if (span.IsEmpty) return;
        ObservationInput? row;
        try
        {
            row = JsonSerializer.Deserialize<ObservationInput>(span, options);
        }
        catch (JsonException e)
        {
            var field = e.Path is null or "$" ? "body" : e.Path[2..];
            throw BodyProblemException.Invalid(field, $"Line {line}: " + (field == "body"
                ? "the line is not a JSON object."
                : $"the value at {e.Path} has the wrong type or format, or is not a property of a row."));
        }
        add(row ?? throw BodyProblemException.Invalid("body", $"Line {line}: a row is a JSON object, not null."));
    }

    // ---- CSV: a header row, then one row per record (RFC 4180) ------------------------------------------------------

    public static async Task ReadCsvAsync(Stream body, Action<ObservationInput> add, CancellationToken ct)
    {
        var options = new CsvReaderOptions
        {
            TrackLineNumbers = true, MalformedData = CsvMalformedDataHandling.Throw, MaxRecordSize = 1 << 20, PoolStrings = true,
        };
        await using var csv = CsvReader.Create(body, options, leaveOpen: true);
        try
        {
            await csv.ReadHeaderAsync(ct);
            var at = Header([.. csv.Headers]);
            while (await csv.ReadAsync(ct))
            {
                var line = (int)csv.LineNumber;
                if (csv.FieldCount != at.Width)
                    throw BodyProblemException.Invalid("body", $"Line {line}: {csv.FieldCount} fields, but the header has {at.Width}.");
                string? Cell(int i) => i < 0 || csv.GetString(i) is not { Length: > 0 } v ? null : v;
                add(new ObservationInput(Cell(at.Indicator), Cell(at.Period), Cell(at.Area),
                    Number(Cell(at.Value), line), Status(Cell(at.Status), line), Cell(at.Note), Flag(Cell(at.Delete), line), Cell(at.Reason)));
            }
        }
        catch (CsvFormatException e)
        {
            throw BodyProblemException.Invalid("body", $"Line {e.LineNumber}: the CSV cannot be read (its quoting is broken, or a record is over 1 MB).");
        }
    }

    private readonly record struct Positions(int Width, int Indicator, int Period, int Area, int Value, int Status, int Note, int Reason, int Delete);

    private static Positions Header(string[] header)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in header)
        {
            if (!Columns.Contains(name) && !Ignored.Contains(name))
                throw BodyProblemException.Invalid("header", $"Line 1: '{name}' is not a column of a push (the columns: {string.Join(", ", Columns)}).");
            if (!seen.Add(name)) throw BodyProblemException.Invalid("header", $"Line 1: the column '{name}' is there twice.");
        }
        if (header.Length == 0)
            throw BodyProblemException.Invalid("header", "Line 1: a CSV body starts with a header row: " + string.Join(",", Columns) + ".");
        if (!seen.Contains("indicator") || !seen.Contains("period"))
            throw BodyProblemException.Invalid("header", "Line 1: the header names at least the columns indicator and period.");
        int At(string name) => Array.IndexOf(header, name);
        return new Positions(header.Length, At("indicator"), At("period"), At("area"), At("value"), At("status"), At("note"), At("reason"), At("delete"));
    }

    private static decimal? Number(string? cell, int line) =>
        cell is null ? null
        : decimal.TryParse(cell, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var v) ? v
        : throw BodyProblemException.Invalid("value", $"Line {line}: '{cell}' is not a number (digits, an optional sign and a point).");

    private static ObservationStatus? Status(string? cell, int line) => cell switch
    {
        null => null,
        "provisional" => ObservationStatus.Provisional,
        "final" => ObservationStatus.Final,
        _ => throw BodyProblemException.Invalid("status", $"Line {line}: '{cell}' is not a status (provisional or final)."),
    };

    private static bool? Flag(string? cell, int line) => cell?.ToLowerInvariant() switch
    {
        null => null,
        "true" => true,
        "false" => false,
        _ => throw BodyProblemException.Invalid("delete", $"Line {line}: '{cell}' is not true or false."),
    };
}
