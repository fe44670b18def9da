using Microsoft.Extensions.Options;

namespace Platform.Sandbox.Systems.Magento;

/// <summary>One entry of a <c>sourceItems</c> array as the web API converted it; null where the request left a field out.</summary>
public sealed record SourceItemInput(string? Sku, string? SourceCode, decimal? Quantity, int? Status);

/// <summary>A row of <c>inventory_source_item</c>, plus what the sandbox tracks about it: how often it was written and when last.</summary>
public sealed record SourceItemRecord(long SourceItemId, string Sku, string SourceCode, decimal Quantity, int Status, long Writes, DateTime UpdatedAt);

/// <summary>What <see cref="MagentoSourceItems.Save"/> did: saved, or refused with Magento's message (and validation errors).</summary>
public sealed record SourceItemsSaveOutcome(bool Saved, string? Message, IReadOnlyList<MagentoErrorDetail>? Errors)
{
    public static SourceItemsSaveOutcome Done { get; } = new(true, null, null);
}

/// <summary>
/// The MSI source items of the simulated store and its sources. A save validates every item the way Magento's
/// SourceItemsSaveHandler does (sku, source_code, quantity, status) and then writes all of them or none: one bad item
/// refuses the whole request, as Magento's ValidationException does. Like MySQL's case-insensitive collation, SKU and
/// source code match regardless of case; a row keeps the spelling it was created with.
/// Counters: <c>magento.source_items.items</c> (items written, per <c>{source_code}:{sku}</c> as the row spells them) and
/// <c>magento.source_items.rejected</c> (items of a refused request or bulk operation, as the request spells them).
/// </summary>
public sealed class MagentoSourceItems
{
    public const string DefaultSource = "default";

    private readonly Lock _gate = new();
    private readonly Dictionary<string, SourceItemRecord> _items = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<string> _sources = [DefaultSource];
    private readonly SandboxCounters _counters;
    private readonly TimeProvider _time;
    private long _lastId;

    public MagentoSourceItems(IOptions<MagentoOptions> options, SandboxCounters counters, TimeProvider time)
    {
        _counters = counters;
        _time = time;
        foreach (var code in options.Value.Sources)
        {
            AddSource(code);
        }
    }

    public static SearchFields<SourceItemRecord> SearchFields { get; } =
        new SearchFields<SourceItemRecord>("inventory_source_item", (a, b) => a.SourceItemId.CompareTo(b.SourceItemId))
            .Number("source_item_id", row => row.SourceItemId)
            .Text("sku", row => row.Sku)
            .Text("source_code", row => row.SourceCode)
            .Number("quantity", row => row.Quantity)
            .Number("status", row => row.Status);

    public IReadOnlyList<string> Sources
    {
        get
        {
            lock (_gate)
            {
                return [.. _sources];
            }
        }
    }

    /// <summary>Magento's source code rule: not empty and no whitespace anywhere.</summary>
    public static bool IsValidSourceCode(string? code) => !string.IsNullOrWhiteSpace(code) && !code.Any(char.IsWhiteSpace);

    /// <returns>Whether the source is new.</returns>
    public bool AddSource(string code)
    {
        if (!IsValidSourceCode(code))
        {
            throw new ArgumentException($"'{code}' is not a source code", nameof(code));
        }

        lock (_gate)
        {
            if (_sources.Contains(code, StringComparer.OrdinalIgnoreCase))
            {
                return false;
            }

            _sources.Add(code);
            return true;
        }
    }

    public SourceItemRecord? Get(string sku, string sourceCode)
    {
        lock (_gate)
        {
            return _items.GetValueOrDefault(Key(sku, sourceCode));
        }
    }

    /// <summary>Every row in primary key order, as the search sees them.</summary>
    public IReadOnlyList<SourceItemRecord> All()
    {
        lock (_gate)
        {
            return [.. _items.Values.OrderBy(row => row.SourceItemId)];
        }
    }

    /// <summary>Forgets every source item (the sources stay).</summary>
    public void Reset()
    {
        lock (_gate)
        {
            _items.Clear();
        }
    }

    /// <summary>Validates the items, then writes all of them, or refuses all with Magento's answer.</summary>
    public SourceItemsSaveOutcome Save(IReadOnlyList<SourceItemInput> items)
    {
        if (items.Count == 0)
        {
            return new SourceItemsSaveOutcome(false, "Input data is empty", null);
        }

        var errors = items.SelectMany(Validate).ToList();
        if (errors.Count > 0)
        {
            CountRejected(items);
            return new SourceItemsSaveOutcome(false, "Validation Failed: " + errors[0].Render(), errors);
        }

        var now = _time.GetUtcNow().UtcDateTime;
        now = new DateTime(now.Ticks - (now.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc);
        lock (_gate)
        {
            // The database's foreign key refuses an unknown source; SaveMultiple turns that into this message, so the
            // client is not told which item or why.
            if (items.Any(item => !_sources.Contains(item.SourceCode!, StringComparer.OrdinalIgnoreCase)))
            {
                CountRejected(items);
                return new SourceItemsSaveOutcome(false, "Could not save Source Item", null);
            }

            foreach (var item in items)
            {
                var key = Key(item.Sku!, item.SourceCode!);
                var source = _sources.First(code => string.Equals(code, item.SourceCode, StringComparison.OrdinalIgnoreCase));
                var row = _items[key] = _items.TryGetValue(key, out var existing)
                    ? existing with { Quantity = item.Quantity!.Value, Status = item.Status!.Value, Writes = existing.Writes + 1, UpdatedAt = now }
                    : new SourceItemRecord(++_lastId, item.Sku!, source, item.Quantity!.Value, item.Status!.Value, 1, now);
                _counters.Increment("magento.source_items.items", $"{row.SourceCode}:{row.Sku}");
            }
        }

        return SourceItemsSaveOutcome.Done;
    }

    public void CountRejected(IEnumerable<SourceItemInput> items)
    {
        foreach (var item in items)
        {
            _counters.Increment("magento.source_items.rejected", CounterItem(item));
        }
    }

    private static string CounterItem(SourceItemInput item) => $"{item.SourceCode}:{item.Sku}";

    private static string Key(string sku, string sourceCode) => sourceCode + "\u0000" + sku;

    // The validator chain of Magento_Inventory (SkuValidator, SourceCodeValidator, QuantityValidator, StatusValidator).
    private static IEnumerable<MagentoErrorDetail> Validate(SourceItemInput item)
    {
        if (string.IsNullOrWhiteSpace(item.Sku))
        {
            yield return MagentoErrorDetail.Field("\"%field\" can not be empty.", "sku");
        }

        if (item.Sku is { Length: > 0 } sku && sku != sku.Trim())
        {
            yield return MagentoErrorDetail.Field("\"%field\" can not contain leading or trailing spaces.", "sku");
        }

        if (string.IsNullOrWhiteSpace(item.SourceCode))
        {
            yield return MagentoErrorDetail.Field("\"%field\" can not be empty.", "source_code");
        }

        if (item.SourceCode is { Length: > 0 } code && code.Any(char.IsWhiteSpace))
        {
            yield return MagentoErrorDetail.Field("\"%field\" can not contain whitespaces.", "source_code");
        }

        if (item.Quantity is null)
        {
            yield return MagentoErrorDetail.Field("\"%field\" should be numeric.", "quantity");
        }

        if (item.Status is null)
        {
            yield return MagentoErrorDetail.Field("\"%field\" should be numeric.", "status");
        }
        else if (item.Status is not (0 or 1))
        {
            yield return MagentoErrorDetail.Field("\"%field\" should a known status.", "status");
        }
    }
}

/// <summary>One entry of the <c>errors</c> array of a Magento validation error.</summary>
public sealed record MagentoErrorDetail(string Message, Dictionary<string, string> Parameters)
{
    public static MagentoErrorDetail Field(string message, string field) => new(message, new Dictionary<string, string> { ["field"] = field });

    /// <summary>The message with its %placeholders filled, as Magento's Phrase renders it.</summary>
    public string Render() => Parameters.Aggregate(Message, (text, parameter) =>
        text.Replace("%" + parameter.Key, parameter.Value, StringComparison.Ordinal));
}
