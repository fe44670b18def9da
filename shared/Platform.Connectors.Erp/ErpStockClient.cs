using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Platform.Connectors.Erp;

// Shares the "erp" HttpClient (base address, API key, rate limiter, circuit breaker) with ErpClient.
internal sealed partial class ErpStockClient(HttpClient http) : ConnectorClient(http), IErpStockClient
{
    private const string Operation = "stock-changes.list";

    public async Task<ErpStockChangePage> ListStockChangesAsync(string? after, int limit = IErpStockClient.DefaultLimit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, IErpStockClient.MaximumLimit);
        var query = new StringBuilder();
        if (!string.IsNullOrEmpty(after))
        {
            query.Append("after=").Append(Uri.EscapeDataString(after)).Append('&');
        }

        query.Append("limit=").Append(limit.ToString(CultureInfo.InvariantCulture));
        using var request = new HttpRequestMessage(HttpMethod.Get, $"api/v1/stock-changes?{query}");
        using var response = await SendAsync(Operation, request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.BadRequest)
        {
            var (error, _) = await ErpClient.ReadErrorAsync(response, cancellationToken).ConfigureAwait(false);
            throw new ErpRejectedException(Operation, response.StatusCode, error, null, null);
        }

        EnsureSuccess(Operation, response);
        using var document = await ReadDocumentAsync(response, cancellationToken).ConfigureAwait(false);
        return ParsePage(document.RootElement, after);
    }

    public async IAsyncEnumerable<ErpStockChangePage> EnumerateStockChangesAsync(
        string? after, int limit = IErpStockClient.DefaultLimit, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var cursor = after;
        while (true)
        {
            var page = await ListStockChangesAsync(cursor, limit, cancellationToken).ConfigureAwait(false);
            yield return page;
            if (!page.HasMore)
            {
                yield break;
            }

            // An ERP that promises more but does not move its cursor would keep this loop asking for ever.
            if (string.Equals(page.NextCursor ?? "", cursor ?? "", StringComparison.Ordinal))
            {
                throw new InvalidDataException($"erp {Operation}: hasMore is true but nextCursor did not move past '{cursor}'");
            }

            cursor = page.NextCursor;
        }
    }

    internal static ErpStockChangePage ParsePage(JsonElement root, string? after)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw Broken($"the response is a JSON {root.ValueKind}, not an object");
        }

        if (!root.TryGetProperty("changes", out var changes) || changes.ValueKind != JsonValueKind.Array)
        {
            throw Broken("the response lacks the changes array");
        }

        if (!root.TryGetProperty("hasMore", out var hasMore) || hasMore.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            throw Broken("the response lacks hasMore (true or false)");
        }

        string? nextCursor = null;
        if (root.TryGetProperty("nextCursor", out var cursor) && cursor.ValueKind != JsonValueKind.Null)
        {
            nextCursor = cursor.ValueKind == JsonValueKind.String
                ? cursor.GetString()
                : throw Broken($"nextCursor is a JSON {cursor.ValueKind}, not a string");
        }

        var valid = new List<ErpStockChange>();
        var invalid = new List<ErpInvalidStockChange>();
        var index = 0;
        foreach (var change in changes.EnumerateArray())
        {
            var parsed = ParseChange(change, $"changes[{index++}]");
            if (parsed.Change is { } ok)
            {
                valid.Add(ok);
            }
            else
            {
                invalid.Add(parsed.Invalid!);
            }
        }

        if (string.IsNullOrEmpty(nextCursor))
        {
            // Without a cursor past them, the changes of this page could be neither acknowledged nor skipped.
            nextCursor = index == 0 ? after : throw Broken("nextCursor is missing although the page holds changes");
        }

        return new ErpStockChangePage(valid, invalid, nextCursor, hasMore.ValueKind == JsonValueKind.True);
    }

    // Every problem of the change is reported, not just the first, so one dead letter says all that is wrong.
    private static (ErpStockChange? Change, ErpInvalidStockChange? Invalid) ParseChange(JsonElement change, string path)
    {
        if (change.ValueKind != JsonValueKind.Object)
        {
            return (null, new ErpInvalidStockChange(null, null, null, $"{path} is a JSON {change.ValueKind}, not an object", change.GetRawText()));
        }

        var problems = new List<string>();
        var changeId = Text(change, "changeId", path, problems);
        var sku = Text(change, "sku", path, problems);
        var location = Text(change, "location", path, problems);

        ErpStockChangeType? type = null;
        var typeText = Text(change, "type", path, problems);
        if (typeText is not null)
        {
            type = typeText.ToLowerInvariant() switch
            {
                "absolute" => ErpStockChangeType.Absolute,
                "delta" => ErpStockChangeType.Delta,
                _ => null,
            };
            if (type is null)
            {
                problems.Add($"{path}.type must be absolute or delta");
            }
        }

        decimal? quantity = null;
        if (!Present(change, "quantity", out var quantityElement))
        {
            problems.Add($"{path}.quantity is missing");
        }
        else if (quantityElement.ValueKind != JsonValueKind.Number || !quantityElement.TryGetDecimal(out var number))
        {
            problems.Add($"{path}.quantity must be a number");
        }
        else
        {
            quantity = number;
            if (type == ErpStockChangeType.Absolute && number < 0)
            {
                problems.Add($"{path}.quantity must not be negative for an absolute update");
            }
        }

        long? sequence = null;
        if (Present(change, "sequence", out var sequenceElement))
        {
            if (sequenceElement.ValueKind == JsonValueKind.Number && sequenceElement.TryGetInt64(out var value))
            {
                sequence = value;
            }
            else
            {
                problems.Add($"{path}.sequence must be a whole number (int64)");
            }
        }

        DateTimeOffset? measuredAt = null;
        if (Present(change, "measuredAt", out var measuredElement))
        {
            if (measuredElement.ValueKind == JsonValueKind.String && TryParseInstant(measuredElement.GetString()!, out var instant))
            {
                measuredAt = instant;
            }
            else
            {
                problems.Add($"{path}.measuredAt must be an ISO-8601 timestamp with a zone, e.g. 2026-11-22T10:00:00Z");
            }
        }
        else if (!Present(change, "sequence", out _))
        {
            problems.Add($"{path}: sequence or measuredAt is required");
        }

        if (problems.Count > 0)
        {
            return (null, new ErpInvalidStockChange(changeId, sku, location, string.Join("; ", problems), change.GetRawText()));
        }

        return (new ErpStockChange(changeId!, sku!, location!, type!.Value, quantity!.Value, sequence, measuredAt), null);
    }

    private static bool Present(JsonElement parent, string name, out JsonElement value) =>
        parent.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null;

    private static string? Text(JsonElement parent, string name, string path, List<string> problems)
    {
        if (!Present(parent, name, out var value))
        {
            problems.Add($"{path}.{name} is missing");
            return null;
        }

        if (value.ValueKind != JsonValueKind.String || value.GetString() is not { } text || string.IsNullOrWhiteSpace(text))
        {
            problems.Add($"{path}.{name} must be a non-empty string");
            return null;
        }

        return text;
    }

    // ISO 8601 with an explicit zone only: a timestamp without one would be read in whatever zone this host runs.
    private static bool TryParseInstant(string text, out DateTimeOffset instant)
    {
        instant = default;
        if (!IsoInstantPattern().IsMatch(text)
            || !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
        {
            return false;
        }

        instant = parsed.ToUniversalTime();
        return true;
    }

    private static async Task<JsonDocument> ReadDocumentAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            try
            {
                return await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (JsonException exception)
            {
                throw new InvalidDataException(
                    $"erp {Operation}: the ERP answered {(int)response.StatusCode} with a body that is not JSON ({exception.Message})", exception);
            }
        }
    }

    private static InvalidDataException Broken(string problem) => new($"erp {Operation}: {problem}");

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})$")]
    private static partial Regex IsoInstantPattern();
}
