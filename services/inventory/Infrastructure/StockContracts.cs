using Google.Protobuf.WellKnownTypes;
using Platform.Contracts.Common.V1;
using Platform.Contracts.Inventory.V1;
using Platform.Inventory.Domain;

namespace Platform.Inventory.Infrastructure;

/// <summary>The stock aggregate in the shapes of the platform.inventory.v1 contract (read model and events).</summary>
public static class StockContracts
{
    public static StockStatus ToContract(SkuStatus status) => status switch
    {
        SkuStatus.InStock => StockStatus.InStock,
        SkuStatus.LowStock => StockStatus.LowStock,
        SkuStatus.OutOfStock => StockStatus.OutOfStock,
        _ => StockStatus.Unspecified,
    };

    public static SkuAvailability ToAvailability(SkuStock stock, IStockThresholdPolicy policy)
    {
        var availability = new SkuAvailability
        {
            Sku = stock.Sku,
            Salable = DecimalValue.FromDecimal(stock.TotalSalable(policy)),
            Status = ToContract(stock.Status(policy)),
        };
        availability.Locations.AddRange(stock.Locations.Keys.Order(StringComparer.Ordinal).Select(location => ToLevel(stock, location, policy)));
        return availability;
    }

    public static StockLevel ToLevel(SkuStock stock, string location, IStockThresholdPolicy policy)
    {
        var reported = stock.Locations[location];
        var salable = stock.Salable(location, policy);
        return new StockLevel
        {
            Sku = stock.Sku,
            LocationCode = location,
            OnHand = DecimalValue.FromDecimal(stock.Physical(location)),
            Reserved = DecimalValue.FromDecimal(stock.Reserved(location)),
            SafetyStock = DecimalValue.FromDecimal(policy.SafetyStock(stock.Sku, location)),
            Salable = DecimalValue.FromDecimal(salable),
            Status = salable <= 0 ? StockStatus.OutOfStock : StockStatus.InStock,
            Source = reported.Source,
            SourceSequence = reported.Sequence,
            MeasuredAt = Timestamp.FromDateTimeOffset(reported.AsOf),
            Version = stock.Version,
        };
    }

    public static StockLevelChanged LevelChanged(SkuStock stock, string location, SkuStatus previous, IStockThresholdPolicy policy, DateTimeOffset occurredAt)
    {
        var level = ToLevel(stock, location, policy);
        return new StockLevelChanged
        {
            Sku = stock.Sku,
            LocationCode = location,
            OnHand = level.OnHand,
            Reserved = level.Reserved,
            SafetyStock = level.SafetyStock,
            Salable = level.Salable,
            Status = ToContract(stock.Status(policy)),
            PreviousStatus = ToContract(previous),
            Source = level.Source,
            SourceSequence = level.SourceSequence,
            Version = stock.Version,
            OccurredAt = Timestamp.FromDateTimeOffset(occurredAt),
        };
    }

    public static ReservationChanged ReservationChanged(SkuStock stock, ReservationMove move, DateTimeOffset occurredAt)
    {
        var reservation = stock.Reservations.GetValueOrDefault(SkuStock.ReservationKey(move.OrderId, move.LineId));
        var orderReserved = stock.Reservations.Values.Where(r => r.OrderId == move.OrderId).Sum(r => r.Open);
        return new ReservationChanged
        {
            Sku = stock.Sku,
            OrderId = move.OrderId,
            LocationCode = move.Location,
            State = move.Kind switch
            {
                ReservationMoveKind.Reserved => ReservationState.Reserved,
                ReservationMoveKind.Released => ReservationState.Released,
                _ => ReservationState.Settled,
            },
            Quantity = DecimalValue.FromDecimal(move.Quantity),
            OrderReserved = DecimalValue.FromDecimal(reservation is null ? 0 : orderReserved),
            TotalReserved = DecimalValue.FromDecimal(stock.Reservations.Values.Sum(r => r.Open)),
            Version = stock.Version,
            OccurredAt = Timestamp.FromDateTimeOffset(occurredAt),
        };
    }
}
