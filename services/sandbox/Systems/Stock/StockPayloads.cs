using System.Globalization;
using System.Text.Json.Serialization;

namespace Platform.Sandbox.Systems.Stock;

// The sandbox's own copies of the stock feed contract (webhook body, CSV row, changed-since page): camelCase, a field
// left out where it has no value.

/// <summary>One stock update as a source sends it: a snapshot (<c>absolute</c>) or a change (<c>delta</c>) of one SKU at one location.</summary>
public sealed record StockUpdate(string Sku, string Location, string Type, decimal Quantity, long? Sequence, string? MeasuredAt)
{
    public const string Absolute = "absolute";
    public const string Delta = "delta";
}

/// <summary>The body of a stock webhook.</summary>
public sealed record StockWebhookBody(string Source, IReadOnlyList<StockUpdate> Updates);

/// <summary>One entry of the change log as <c>GET /erp/api/v1/stock-changes</c> returns it: the change id, then the update's fields.</summary>
public sealed record StockChangePayload(string ChangeId, string Sku, string Location, string Type, decimal Quantity, long? Sequence, string? MeasuredAt)
{
    public static StockChangePayload From(StockChange change) => new(
        StockChangeLog.FormatId(change.Id), change.Update.Sku, change.Update.Location, change.Update.Type, change.Update.Quantity,
        change.Update.Sequence, change.Update.MeasuredAt);
}

public sealed record StockChangesPage(IReadOnlyList<StockChangePayload> Changes, string NextCursor, bool HasMore);

/// <summary>An update as the control API takes it; checked field by field before anything is sent.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record StockUpdateSpec
{
    public string? Sku { get; init; }
    public string? Location { get; init; }
    public string? Type { get; init; }
    public decimal? Quantity { get; init; }
    public long? Sequence { get; init; }
    public string? MeasuredAt { get; init; }
}

/// <summary>The body of <c>POST /_sandbox/stock/{source}/updates</c>.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record StockSendSpec
{
    public const int MaxBatchSize = 100_000;
    public const int MaxUpdates = 1_000_000;

    /// <summary><c>webhook</c>, <c>csv</c> or <c>pull</c>.</summary>
    public string? Channel { get; init; }

    public List<StockUpdateSpec>? Updates { get; init; }

    /// <summary>Updates per webhook request or CSV file. Above the receiver's limit (5000 by default) to provoke its 413.</summary>
    public int BatchSize { get; init; } = 500;

    /// <summary>Share of consecutive updates of one SKU and location that trade places, so the older arrives after the newer.</summary>
    public double OutOfOrder { get; init; }

    /// <summary>Share of batches delivered a second time at the end, with the same delivery id.</summary>
    public double Duplicates { get; init; }

    /// <summary>Seed of the reordering and duplicate dice; <c>Sandbox:Seed</c> when left out.</summary>
    public int? Seed { get; init; }

    public (List<StockUpdate> Updates, Dictionary<string, string[]> Errors) Validate()
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        void Check(bool ok, string field, string message)
        {
            if (!ok)
            {
                errors[field] = [message];
            }
        }

        Check(Channel is "webhook" or "csv" or "pull", "channel", "must be webhook, csv or pull");
        Check(BatchSize is >= 1 and <= MaxBatchSize, "batchSize", $"must be between 1 and {MaxBatchSize}");
        Check(OutOfOrder is >= 0 and <= 1, "outOfOrder", "must be between 0 and 1");
        Check(Duplicates is >= 0 and <= 1, "duplicates", "must be between 0 and 1");
        Check(Updates is { Count: > 0 and <= MaxUpdates }, "updates", $"between 1 and {MaxUpdates} updates are required");
        var updates = new List<StockUpdate>(Updates?.Count ?? 0);
        for (var i = 0; i < (Updates?.Count ?? 0) && errors.Count < 50; i++)
        {
            var spec = Updates![i];
            var field = $"updates[{i.ToString(CultureInfo.InvariantCulture)}]";
            if (spec is null)
            {
                errors[field] = ["must be an object"];
                continue;
            }

            Check(!string.IsNullOrWhiteSpace(spec.Sku), field + ".sku", "is required");
            Check(!string.IsNullOrWhiteSpace(spec.Location), field + ".location", "is required");
            Check(spec.Type is StockUpdate.Absolute or StockUpdate.Delta, field + ".type", "must be absolute or delta");
            Check(spec.Quantity is not null, field + ".quantity", "is required");
            Check(!(spec.Type == StockUpdate.Absolute && spec.Quantity < 0), field + ".quantity", "must not be negative for an absolute update");
            Check(spec.Sequence is null or >= 0, field + ".sequence", "must not be negative");
            var measuredAt = MeasuredAt(spec.MeasuredAt);
            Check(spec.MeasuredAt is null || measuredAt is not null, field + ".measuredAt", "must be an ISO 8601 timestamp, e.g. 2026-11-22T10:00:00Z");
            Check(spec.Sequence is not null || spec.MeasuredAt is not null, field + ".sequence", "sequence or measuredAt is required");
            updates.Add(new StockUpdate(spec.Sku ?? "", spec.Location ?? "", spec.Type ?? "", spec.Quantity ?? 0, spec.Sequence, measuredAt));
        }

        return (updates, errors);
    }

    /// <summary>The timestamp in UTC with the fraction it has and no more (<c>2026-11-22T10:00:00Z</c>, <c>...:00.25Z</c>).</summary>
    private static string? MeasuredAt(string? text) =>
        text is not null && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var instant)
            ? instant.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture)
            : null;
}

/// <summary>What became of one send: planned, and so far delivered. Webhook sends finish in the background.</summary>
public sealed record StockRunState(
    string Id,
    string Source,
    string Channel,
    int Updates,
    int Batches,
    int Reordered,
    int Redeliveries,
    long Sent,
    long Failed,
    long Retries,
    bool Done,
    DateTimeOffset StartedAt,
    DateTimeOffset? FinishedAt,
    IReadOnlyList<string>? Files,
    IReadOnlyList<StockDeliveryFailure>? Failures,
    string? FirstChangeId,
    string? LastChangeId);

/// <summary>A batch given up, with the last thing that went wrong (<c>HTTP 401</c>, <c>timed out</c>...).</summary>
public sealed record StockDeliveryFailure(string DeliveryId, int Attempts, string Outcome);
