using Microsoft.Extensions.Options;
using Platform.Inventory.Domain;

namespace Platform.Inventory.Tests;

/// <summary>Safety stock per location (default for the rest) and one low-stock level, set by each test.</summary>
public sealed class TestThresholds : IStockThresholdPolicy
{
    public decimal DefaultSafetyStock { get; init; }

    public decimal LowStock { get; init; }

    public Dictionary<string, decimal> ByLocation { get; init; } = new(StringComparer.Ordinal);

    public decimal SafetyStock(string sku, string location) => ByLocation.GetValueOrDefault(location, DefaultSafetyStock);

    public decimal LowStockLevel(string sku) => LowStock;
}

/// <summary>An options monitor whose value a test replaces, as a configuration reload would.</summary>
public sealed class TestOptionsMonitor<T>(T value) : IOptionsMonitor<T>
{
    private readonly List<Action<T, string?>> _listeners = [];

    public T CurrentValue { get; private set; } = value;

    public T Get(string? name) => CurrentValue;

    public IDisposable OnChange(Action<T, string?> listener)
    {
        _listeners.Add(listener);
        return new Subscription(() => _listeners.Remove(listener));
    }

    public void Set(T value)
    {
        CurrentValue = value;
        foreach (var listener in _listeners.ToList())
        {
            listener(value, Options.DefaultName);
        }
    }

    private sealed class Subscription(Action dispose) : IDisposable
    {
        public void Dispose() => dispose();
    }
}

/// <summary>Shorthands for building the reports and timelines the domain tests use.</summary>
public static class Stock
{
    public static readonly DateTimeOffset T0 = new(2025, 3, 1, 8, 0, 0, TimeSpan.Zero);

    public static DateTimeOffset At(int minutes) => T0.AddMinutes(minutes);

    public static StockReport Snapshot(string location, decimal quantity, long sequence, int measuredAtMinute = 0, string source = "erp", SourceReports reports = SourceReports.Physical) =>
        new(source, reports, location, ReportKind.Snapshot, quantity, sequence, At(measuredAtMinute), At(measuredAtMinute));

    public static StockReport Delta(string location, decimal quantity, long sequence, int measuredAtMinute = 0, string source = "erp", SourceReports reports = SourceReports.Physical) =>
        new(source, reports, location, ReportKind.Adjustment, quantity, sequence, At(measuredAtMinute), At(measuredAtMinute));

    public static SkuStock Sku(string sku = "SKU-1") => new() { Sku = sku };

    public static ReportOutcome MustApply(this SkuStock stock, StockReport report, IStockThresholdPolicy policy)
    {
        var outcome = stock.Apply(report, policy);
        Assert.Equal(ReportOutcomeKind.Applied, outcome.Kind);
        return outcome;
    }

    public static decimal Allocated(this SkuStock stock, string orderId, string lineId, string location) =>
        stock.Reservations.TryGetValue(SkuStock.ReservationKey(orderId, lineId), out var reservation) ? reservation.AllocatedAt(location) : 0;

    public static decimal Backordered(this SkuStock stock, string orderId, string lineId) =>
        stock.Reservations.TryGetValue(SkuStock.ReservationKey(orderId, lineId), out var reservation) ? reservation.Backordered : 0;
}
