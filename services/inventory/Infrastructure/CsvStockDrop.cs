using System.Globalization;
using Microsoft.Extensions.Options;
using Microsoft.VisualBasic.FileIO;
using Platform.Contracts.Inventory.V1;
using Platform.Hosting.Runtime;
using Platform.Inventory.Api;

namespace Platform.Inventory.Infrastructure;

/// <summary>
/// Watches <c>&lt;CsvDrop:Path&gt;/&lt;source&gt;/*.csv</c>. Every good row goes to the ingest topic; a bad row is reported with
/// its line number and the rest of the file still applies. A read file moves to <c>processed/</c> with a report beside it
/// (<c>failed/</c> when its header is unusable). A crash mid-file reads the file again: rows already sent are the same
/// events to the inbox.
/// </summary>
public sealed class CsvStockDrop(
    StockIntake intake,
    IOptionsMonitor<InventoryOptions> options,
    InventoryMetrics metrics,
    SyncFreshness freshness,
    TimeProvider time,
    ILogger<CsvStockDrop> logger) : BackgroundService
{
    public static readonly string[] Columns = ["sku", "location", "type", "quantity", "sequence", "measured_at"];
    private const int PublishChunk = 1000;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var settings = options.CurrentValue;
            if (settings.CsvDrop.Enabled)
            {
                foreach (var source in settings.Sources.Keys)
                {
                    await ScanAsync(source, settings.CsvDrop.Path, stoppingToken);
                }
            }

            await Task.Delay(settings.CsvDrop.PollInterval, time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    /// <summary>Reads every complete file waiting in one source's folder; returns the results, oldest file first.</summary>
    public async Task<IReadOnlyList<CsvFileResult>> ScanAsync(string source, string root, CancellationToken cancellationToken)
    {
        var folder = Path.Combine(root, source);
        if (!Directory.Exists(folder))
        {
            return [];
        }

        var results = new List<CsvFileResult>();
        foreach (var file in Directory.EnumerateFiles(folder, "*.csv").Order(StringComparer.Ordinal))
        {
            try
            {
                results.Add(await ProcessFileAsync(source, file, cancellationToken));
            }
            catch (IOException ex)
            {
                // Still being written or moved by someone else: the next scan tries again.
                logger.LogWarning(ex, "Stock file {File} of source {Source} could not be read; trying again later", Path.GetFileName(file), source);
                freshness.RecordFailure($"stock.csv.{source}", ex.Message);
            }
        }

        return results;
    }

    public async Task<CsvFileResult> ProcessFileAsync(string source, string path, CancellationToken cancellationToken)
    {
        var name = Path.GetFileName(path);
        var errors = new List<string>();
        var accepted = 0;
        var rows = 0;
        var headerProblem = (string?)null;
        // Line by line, each parsed by the runtime's RFC 4180 field reader: a blank line cannot shift the line numbers of
        // the rows after it, and a broken quote spoils only its own row. A stock row never spans lines.
        using (var reader = new StreamReader(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read)))
        {
            var lineNumber = 0;
            Dictionary<string, int>? header = null;
            var batch = new List<IncomingStockUpdate>(PublishChunk);
            while (await reader.ReadLineAsync(cancellationToken) is { } text)
            {
                lineNumber++;
                if (string.IsNullOrWhiteSpace(text))
                {
                    continue;
                }

                if (!TryParseLine(text, out var fields, out var problem))
                {
                    if (header is null)
                    {
                        headerProblem = $"the header row is not valid CSV ({problem})";
                        break;
                    }

                    rows++;
                    errors.Add($"line {lineNumber}: the row is not valid CSV ({problem})");
                    continue;
                }

                if (header is null)
                {
                    header = ReadHeader(fields, out headerProblem);
                    if (headerProblem is not null)
                    {
                        break;
                    }

                    continue;
                }

                rows++;
                var update = ParseRow(header, fields, $"line {lineNumber}", $"{name}:{lineNumber}", errors);
                if (update is null)
                {
                    continue;
                }

                batch.Add(update);
                if (batch.Count == PublishChunk)
                {
                    await intake.PublishAsync(source, StockChannel.File, batch, cancellationToken);
                    accepted += batch.Count;
                    batch = new List<IncomingStockUpdate>(PublishChunk);
                }
            }

            if (header is null && headerProblem is null)
            {
                headerProblem = "the file is empty: a header row is required";
            }

            if (headerProblem is null)
            {
                await intake.PublishAsync(source, StockChannel.File, batch, cancellationToken);
                accepted += batch.Count;
            }
        }

        var result = new CsvFileResult(name, rows, accepted, headerProblem is null ? errors : [headerProblem]);
        if (result.Errors.Count > 0)
        {
            metrics.IntakeRejected(source, "csv", headerProblem is null ? "bad_row" : "bad_header", headerProblem is null ? errors.Count : 1);
            foreach (var error in result.Errors.Take(50))
            {
                logger.LogWarning("Stock file {File} of source {Source}: {Problem}", name, source, error);
            }
        }

        MoveAside(path, headerProblem is null ? "processed" : "failed", result);
        if (headerProblem is null)
        {
            freshness.RecordSuccess($"stock.csv.{source}");
        }

        logger.LogInformation("Stock file {File} of source {Source}: {Accepted} of {Rows} rows accepted, {Bad} refused", name, source, accepted, rows, result.Errors.Count);
        return result;
    }

    private static bool TryParseLine(string line, out string[] fields, out string problem)
    {
        using var parser = new TextFieldParser(new StringReader(line))
        {
            TextFieldType = FieldType.Delimited,
            HasFieldsEnclosedInQuotes = true,
            TrimWhiteSpace = true,
        };
        parser.SetDelimiters(",");
        try
        {
            fields = parser.ReadFields() ?? [];
            problem = "";
            return true;
        }
        catch (MalformedLineException ex)
        {
            fields = [];
            problem = ex.Message;
            return false;
        }
    }

    private static Dictionary<string, int> ReadHeader(string[] names, out string? problem)
    {
        var header = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < names.Length; i++)
        {
            header.TryAdd(names[i].Trim(), i);
        }

        var missing = Columns.Take(4).Where(c => !header.ContainsKey(c)).ToList();
        problem = missing.Count > 0 ? $"header lacks the column(s) {string.Join(", ", missing)} (expected {string.Join(",", Columns)})" : null;
        return header;
    }

    private static IncomingStockUpdate? ParseRow(Dictionary<string, int> header, string[] fields, string path, string reference, List<string> errors)
    {
        string? Field(string column) => header.TryGetValue(column, out var index) && index < fields.Length ? fields[index] : null;

        var before = errors.Count;
        var sku = Field("sku");
        var location = Field("location");
        if (string.IsNullOrEmpty(sku))
        {
            errors.Add($"{path}: sku is empty");
        }

        if (string.IsNullOrEmpty(location))
        {
            errors.Add($"{path}: location is empty");
        }

        var kind = Field("type") switch
        {
            "absolute" => StockReportKind.Snapshot,
            "delta" => StockReportKind.Adjustment,
            var other => Invalid(errors, $"{path}: type must be absolute or delta (got '{other}')"),
        };

        if (!decimal.TryParse(Field("quantity"), NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var quantity))
        {
            errors.Add($"{path}: quantity '{Field("quantity")}' is not a number");
        }

        long? sequence = null;
        if (Field("sequence") is { Length: > 0 } sequenceText)
        {
            if (long.TryParse(sequenceText, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            {
                sequence = value;
            }
            else
            {
                errors.Add($"{path}: sequence '{sequenceText}' is not a whole number");
            }
        }

        DateTimeOffset? measuredAt = null;
        if (Field("measured_at") is { Length: > 0 } measuredText)
        {
            if (DateTimeOffset.TryParse(measuredText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
            {
                measuredAt = at.ToUniversalTime();
            }
            else
            {
                errors.Add($"{path}: measured_at '{measuredText}' is not an ISO-8601 timestamp");
            }
        }

        return errors.Count > before ? null : StockUpdateJson.Validate(sku!, location!, kind, quantity, sequence, measuredAt, reference, path + ": ", errors);
    }

    private static StockReportKind Invalid(List<string> errors, string error)
    {
        errors.Add(error);
        return StockReportKind.Unspecified;
    }

    private static void MoveAside(string path, string folderName, CsvFileResult result)
    {
        var folder = Path.Combine(Path.GetDirectoryName(path)!, folderName);
        Directory.CreateDirectory(folder);
        var stamp = DateTimeOffset.UtcNow.ToString("yyyyMMdd'T'HHmmssfff", CultureInfo.InvariantCulture);
        var target = Path.Combine(folder, $"{stamp}-{result.File}");
        File.WriteAllLines(target + ".report.txt",
            [$"{result.File}: {result.Accepted} of {result.Rows} rows accepted, {result.Errors.Count} refused", .. result.Errors]);
        File.Move(path, target, overwrite: true);
    }
}

public sealed record CsvFileResult(string File, int Rows, int Accepted, IReadOnlyList<string> Errors);
