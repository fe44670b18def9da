namespace Platform.Inventory.Domain;

/// <summary>
/// The stock of one SKU over all its locations: what the sources reported, what open orders hold, and what was last
/// pushed to each storefront target. One aggregate per SKU, so a reservation and a stock report for the same SKU
/// always see each other (they are written with the aggregate's ETag).
/// <para>
/// Invariant kept by every operation: at each location the quantity reserved never exceeds what is there above the
/// safety stock, so salable never goes below zero. Demand that cannot be covered is held as a backorder and covered
/// first when stock comes back.
/// </para>
/// </summary>
public sealed class SkuStock
{
    public required string Sku { get; init; }

    /// <summary>Increases with every change; events carry it so consumers can order them.</summary>
    public long Version { get; set; }

    public Dictionary<string, LocationStock> Locations { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Open demand per order line (key <c>order id/line id</c>).</summary>
    public Dictionary<string, LineReservation> Reservations { get; init; } = new(StringComparer.Ordinal);

    public long LastReservationSequence { get; set; }

    public PushState Push { get; init; } = new();

    public SkuStatus? LastStatus { get; set; }

    public static string ReservationKey(string orderId, string lineId) => orderId + "/" + lineId;

    /// <summary>On hand as the platform believes it is now, derived from the last report and what shipped since.</summary>
    public decimal Physical(string location)
    {
        if (!Locations.TryGetValue(location, out var stock))
        {
            return 0;
        }

        var shippedSince = 0m;
        var heldBySource = 0m;
        foreach (var reservation in Reservations.Values)
        {
            shippedSince += reservation.ShippedSince(location, stock.AsOf);
            if (stock.Reports == SourceReports.Available)
            {
                // The source's figure was net of what it held for the orders it knew when it measured: add it back.
                heldBySource += reservation.HeldAt(location);
            }
        }

        return stock.Reported + heldBySource - shippedSince;
    }

    public decimal Reserved(string location) => Reservations.Values.Sum(r => r.AllocatedAt(location));

    public decimal Backordered => Reservations.Values.Sum(r => r.Backordered);

    /// <summary>What may still be sold at the location: physical less reserved less safety stock, never below zero.</summary>
    public decimal Salable(string location, IStockThresholdPolicy policy) =>
        Math.Max(0, Physical(location) - Reserved(location) - policy.SafetyStock(Sku, location));

    public decimal TotalSalable(IStockThresholdPolicy policy) => Locations.Keys.Sum(location => Salable(location, policy));

    public SkuStatus Status(IStockThresholdPolicy policy)
    {
        var salable = TotalSalable(policy);
        return salable <= 0 ? SkuStatus.OutOfStock : salable <= policy.LowStockLevel(Sku) ? SkuStatus.LowStock : SkuStatus.InStock;
    }

    /// <summary>
    /// The figure a target must receive for this SKU at a location so that every open order is deducted exactly once:
    /// a target that subtracts its own reservations gets physical less safety stock, a target that shows what it is
    /// given gets salable.
    /// </summary>
    public TargetQuantity ForTarget(TargetExpects expects, string location, IStockThresholdPolicy policy)
    {
        var quantity = expects switch
        {
            TargetExpects.PhysicalLessOwnReservations => Math.Max(0, Physical(location) - policy.SafetyStock(Sku, location)),
            TargetExpects.Net => Salable(location, policy),
            _ => throw new ArgumentOutOfRangeException(nameof(expects), expects, "unknown target semantics"),
        };
        return new TargetQuantity(quantity, quantity > 0);
    }

    /// <summary>Applies a source's report when it is newer than the last one applied for that location.</summary>
    public ReportOutcome Apply(StockReport report, IStockThresholdPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (report.Kind == ReportKind.Snapshot && report.Quantity < 0)
        {
            return ReportOutcome.Invalid($"a snapshot cannot be negative (got {report.Quantity})");
        }

        Locations.TryGetValue(report.Location, out var current);
        if (current is not null && !string.Equals(current.Source, report.Source, StringComparison.Ordinal))
        {
            return ReportOutcome.Invalid($"location '{report.Location}' is fed by '{current.Source}', not by '{report.Source}'");
        }

        if (current is not null && report.Sequence <= current.Sequence)
        {
            return ReportOutcome.Stale(current.Sequence);
        }

        var asOf = report.MeasuredAt ?? report.ReceivedAt;
        var reported = report.Kind == ReportKind.Snapshot ? report.Quantity : (current?.Reported ?? 0) + report.Quantity;
        Locations[report.Location] = new LocationStock
        {
            Source = report.Source,
            Reports = report.Reports,
            Reported = reported,
            Sequence = report.Sequence,
            AsOf = current is not null && current.AsOf > asOf ? current.AsOf : asOf,
        };

        CaptureHeldBySource(report.Location);
        ForgetSettlementsReportedAt(report.Location);
        var moves = new List<ReservationMove>();
        Rebalance(report.Location, policy, moves);
        FillBackorders(policy, moves);
        Version++;
        return ReportOutcome.Applied(moves);
    }

    /// <summary>
    /// Sets the open demand of an order line (ordered less shipped, cancelled and refunded): reserves more, or gives
    /// back what it no longer needs. Reserving takes the locations with the most salable first and never goes below
    /// safety stock; what cannot be covered is backordered.
    /// </summary>
    public IReadOnlyList<ReservationMove> SetDemand(string orderId, string lineId, decimal openQuantity, IStockThresholdPolicy policy)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(openQuantity);
        var key = ReservationKey(orderId, lineId);
        if (!Reservations.TryGetValue(key, out var reservation))
        {
            if (openQuantity == 0)
            {
                return [];
            }

            reservation = new LineReservation { OrderId = orderId, LineId = lineId, Sequence = ++LastReservationSequence };
            Reservations[key] = reservation;
        }

        var moves = new List<ReservationMove>();
        var change = openQuantity - reservation.Demand;
        if (change > 0)
        {
            Allocate(reservation, change, policy, moves);
        }
        else if (change < 0)
        {
            Release(reservation, -change, moves);
            FillBackorders(policy, moves);
        }

        Prune();
        if (moves.Count > 0 || change != 0)
        {
            Version++;
        }

        return moves;
    }

    /// <summary>Lowers a line's open demand by <paramref name="quantity"/> (cancelled, or refunded before shipment).</summary>
    public IReadOnlyList<ReservationMove> Reduce(string orderId, string lineId, decimal quantity, IStockThresholdPolicy policy)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(quantity);
        return Reservations.TryGetValue(ReservationKey(orderId, lineId), out var reservation)
            ? SetDemand(orderId, lineId, Math.Max(0, reservation.Demand - quantity), policy)
            : [];
    }

    /// <summary>
    /// Turns shipped quantity from reserved into a deduction of on hand at the locations it was reserved at. The deduction
    /// lasts until the source reports a figure measured after the shipment, which already reflects it.
    /// </summary>
    public IReadOnlyList<ReservationMove> Settle(string orderId, string lineId, decimal quantity, DateTimeOffset shippedAt, IStockThresholdPolicy policy, string? shippedFrom = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(quantity);
        if (!Reservations.TryGetValue(ReservationKey(orderId, lineId), out var reservation) || quantity == 0)
        {
            return [];
        }

        var moves = new List<ReservationMove>();
        var left = quantity;
        // The location the goods left from first, when the shipment says.
        foreach (var (location, allocated) in reservation.Allocated
                     .OrderByDescending(a => a.Key == shippedFrom)
                     .ThenByDescending(a => a.Value)
                     .ThenBy(a => a.Key, StringComparer.Ordinal)
                     .ToList())
        {
            var take = Math.Min(left, allocated);
            if (take <= 0)
            {
                continue;
            }

            reservation.Allocated[location] = allocated - take;
            if (Locations.TryGetValue(location, out var stock) && shippedAt > stock.AsOf)
            {
                reservation.Settlements.Add(new Settlement(location, take, shippedAt));
            }
            else
            {
                // Gone before the source measured: it held nothing for them then.
                reservation.ReduceHeld(location, take);
            }

            moves.Add(new ReservationMove(orderId, lineId, location, ReservationMoveKind.Settled, take));
            left -= take;
        }

        // Shipped beyond what was reserved: the goods were there after all; the next report shows what is left.
        var fromBackorder = Math.Min(left, reservation.Backordered);
        if (fromBackorder > 0)
        {
            reservation.Backordered -= fromBackorder;
            moves.Add(new ReservationMove(orderId, lineId, "", ReservationMoveKind.Settled, fromBackorder));
        }

        reservation.DropEmptyAllocations();
        Prune();
        FillBackorders(policy, moves);
        Version++;
        return moves;
    }

    /// <summary>The ERP accepted the order: a source reporting available allocates it from now on.</summary>
    public bool MarkExported(string orderId, DateTimeOffset exportedAt)
    {
        var changed = false;
        foreach (var reservation in Reservations.Values.Where(r => r.OrderId == orderId && r.ExportedAt is null))
        {
            reservation.ExportedAt = exportedAt;
            // Heard of after a figure measured later: that figure was already net of the order.
            foreach (var location in Locations.Keys)
            {
                reservation.SetHeld(location, HeldWhenMeasured(reservation, location));
            }

            changed = true;
        }

        if (changed)
        {
            Version++;
        }

        return changed;
    }

    /// <summary>
    /// Covers waiting demand from what is salable now. An export the platform hears of after an available source measured
    /// raises what that source had on hand, and with it salable, without any new figure arriving.
    /// </summary>
    public IReadOnlyList<ReservationMove> CoverBackorders(IStockThresholdPolicy policy)
    {
        var moves = new List<ReservationMove>();
        FillBackorders(policy, moves);
        if (moves.Count > 0)
        {
            Version++;
        }

        return moves;
    }

    /// <summary>
    /// Records that the SKU changed: the next push is due after the coalescing window, or at once when a threshold was
    /// crossed. Returns true when the change crossed a threshold.
    /// </summary>
    public bool MarkChanged(DateTimeOffset now, TimeSpan window, IReadOnlyCollection<(string Target, TargetExpects Expects)> targets, IStockThresholdPolicy policy)
    {
        var status = Status(policy);
        var crossed = (LastStatus is { } previous && previous != status) || (LastStatus is null && status != SkuStatus.InStock);
        foreach (var (target, expects) in targets)
        {
            foreach (var location in Locations.Keys)
            {
                var wanted = ForTarget(expects, location, policy);
                var pushed = Push.LastPushed(target, location);
                crossed |= pushed is null ? !wanted.InStock : pushed.Value.InStock != wanted.InStock;
            }
        }

        LastStatus = status;
        Push.ChangedSince ??= now;
        var due = crossed ? now : now + window;
        if (Push.DueAt is null || due < Push.DueAt)
        {
            Push.DueAt = due;
        }

        Push.Threshold |= crossed;
        if (crossed)
        {
            Push.ThresholdSince ??= now;
        }

        Push.MarkedVersion = Version;

        return crossed;
    }

    private void Allocate(LineReservation reservation, decimal quantity, IStockThresholdPolicy policy, List<ReservationMove> moves)
    {
        var left = quantity;
        foreach (var location in Locations.Keys
                     .Select(location => (location, salable: Salable(location, policy)))
                     .Where(l => l.salable > 0)
                     .OrderByDescending(l => l.salable)
                     .ThenBy(l => l.location, StringComparer.Ordinal)
                     .ToList())
        {
            var take = Math.Min(left, location.salable);
            reservation.Allocated[location.location] = reservation.AllocatedAt(location.location) + take;
            moves.Add(new ReservationMove(reservation.OrderId, reservation.LineId, location.location, ReservationMoveKind.Reserved, take));
            left -= take;
            if (left == 0)
            {
                return;
            }
        }

        reservation.Backordered += left;
    }

    private static void Release(LineReservation reservation, decimal quantity, List<ReservationMove> moves)
    {
        var left = quantity;
        var fromBackorder = Math.Min(left, reservation.Backordered);
        reservation.Backordered -= fromBackorder;
        left -= fromBackorder;
        foreach (var (location, allocated) in reservation.Allocated.OrderBy(a => a.Value).ThenBy(a => a.Key, StringComparer.Ordinal).ToList())
        {
            if (left == 0)
            {
                break;
            }

            var give = Math.Min(left, allocated);
            reservation.Allocated[location] = allocated - give;
            // The source lets go of what the order no longer needs; counting it on would invent stock.
            reservation.ReduceHeld(location, give);
            moves.Add(new ReservationMove(reservation.OrderId, reservation.LineId, location, ReservationMoveKind.Released, give));
            left -= give;
        }

        reservation.DropEmptyAllocations();
    }

    // A lower report can leave a location holding more reservations than it has above safety stock: the newest
    // reservations move to other locations, or to the backorder, so salable never goes below zero anywhere.
    private void Rebalance(string location, IStockThresholdPolicy policy, List<ReservationMove> moves)
    {
        var excess = Reserved(location) - Math.Max(0, Physical(location) - policy.SafetyStock(Sku, location));
        if (excess <= 0)
        {
            return;
        }

        var displaced = new List<(LineReservation Reservation, decimal Quantity)>();
        foreach (var reservation in Reservations.Values.Where(r => r.AllocatedAt(location) > 0).OrderByDescending(r => r.Sequence))
        {
            var take = Math.Min(excess, reservation.AllocatedAt(location));
            reservation.Allocated[location] -= take;
            reservation.DropEmptyAllocations();
            moves.Add(new ReservationMove(reservation.OrderId, reservation.LineId, location, ReservationMoveKind.Released, take));
            displaced.Add((reservation, take));
            excess -= take;
            if (excess == 0)
            {
                break;
            }
        }

        foreach (var (reservation, quantity) in displaced.OrderBy(d => d.Reservation.Sequence))
        {
            Allocate(reservation, quantity, policy, moves);
        }
    }

    // Oldest demand first, so an order placed earlier is covered before one placed later.
    private void FillBackorders(IStockThresholdPolicy policy, List<ReservationMove> moves)
    {
        foreach (var reservation in Reservations.Values.Where(r => r.Backordered > 0).OrderBy(r => r.Sequence).ToList())
        {
            if (TotalSalable(policy) <= 0)
            {
                return;
            }

            var waiting = reservation.Backordered;
            reservation.Backordered = 0;
            Allocate(reservation, waiting, policy, moves);
        }
    }

    // Fixed when the figure is applied, not derived from the allocations of the moment: covering a backorder there
    // later, or moving a reservation away, changes what the platform promises, not what is on the shelf.
    private void CaptureHeldBySource(string location)
    {
        foreach (var reservation in Reservations.Values)
        {
            reservation.SetHeld(location, HeldWhenMeasured(reservation, location));
        }
    }

    // An available figure is net of the lines the source knew (exported by the time it measured), with what they
    // had reserved at the location then: still reserved there, or shipped from it since.
    private decimal HeldWhenMeasured(LineReservation reservation, string location) =>
        Locations.TryGetValue(location, out var stock)
        && stock.Reports == SourceReports.Available
        && reservation.ExportedAt is { } exported
        && exported <= stock.AsOf
            ? reservation.AllocatedAt(location) + reservation.ShippedSince(location, stock.AsOf)
            : 0;

    // Once the source has measured after a shipment, its figure includes it: the deduction must not be made twice.
    private void ForgetSettlementsReportedAt(string location)
    {
        var asOf = Locations[location].AsOf;
        foreach (var reservation in Reservations.Values)
        {
            reservation.Settlements.RemoveAll(s => s.Location == location && s.At <= asOf);
        }

        Prune();
    }

    // A line the source still held goods for stays until the source measures again: forgetting it would lower on hand
    // by more than it frees, and push other reservations past what is there.
    private void Prune()
    {
        // Cheapest tests first: a SKU with many open orders is scanned at every change.
        foreach (var (key, reservation) in Reservations.Where(r => r.Value.Backordered == 0 && r.Value.Settlements.Count == 0 && r.Value.HeldBySource.Count == 0 && r.Value.Open == 0).ToList())
        {
            Reservations.Remove(key);
        }
    }
}

public sealed class LocationStock
{
    public required string Source { get; init; }
    public SourceReports Reports { get; init; }

    /// <summary>The source's figure after its last report (physical or available, per <see cref="Reports"/>).</summary>
    public decimal Reported { get; init; }

    public long Sequence { get; init; }

    /// <summary>When the source measured the figure (or when it arrived, when the source did not say).</summary>
    public DateTimeOffset AsOf { get; init; }
}

public sealed class LineReservation
{
    public required string OrderId { get; init; }
    public required string LineId { get; init; }

    /// <summary>Order of arrival within the SKU: older demand is covered first.</summary>
    public long Sequence { get; init; }

    public Dictionary<string, decimal> Allocated { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Demand no location could cover when it arrived.</summary>
    public decimal Backordered { get; set; }

    public DateTimeOffset? ExportedAt { get; set; }

    /// <summary>Shipped quantities the sources have not reported yet.</summary>
    public List<Settlement> Settlements { get; init; } = [];

    /// <summary>
    /// Per location fed by a source reporting available: what that source held for this line when it measured the
    /// figure applied last, less what the line has given up since. The figure is net of it, so on hand is that much more.
    /// </summary>
    public Dictionary<string, decimal> HeldBySource { get; init; } = new(StringComparer.Ordinal);

    public decimal Open
    {
        get
        {
            var open = 0m;
            foreach (var quantity in Allocated.Values)
            {
                open += quantity;
            }

            return open;
        }
    }

    public decimal Demand => Open + Backordered;

    public decimal AllocatedAt(string location) => Allocated.GetValueOrDefault(location);

    public decimal HeldAt(string location) => HeldBySource.GetValueOrDefault(location);

    public decimal ShippedSince(string location, DateTimeOffset asOf) =>
        Settlements.Where(s => s.Location == location && s.At > asOf).Sum(s => s.Quantity);

    public void SetHeld(string location, decimal quantity)
    {
        if (quantity > 0)
        {
            HeldBySource[location] = quantity;
        }
        else
        {
            HeldBySource.Remove(location);
        }
    }

    public void ReduceHeld(string location, decimal quantity) => SetHeld(location, HeldAt(location) - quantity);

    public void DropEmptyAllocations()
    {
        foreach (var location in Allocated.Where(a => a.Value <= 0).Select(a => a.Key).ToList())
        {
            Allocated.Remove(location);
        }
    }
}

public sealed record Settlement(string Location, decimal Quantity, DateTimeOffset At);

public sealed class PushState
{
    /// <summary>When the next push of this SKU is due; null when nothing waits.</summary>
    public DateTimeOffset? DueAt { get; set; }

    /// <summary>First change not pushed yet: push latency is measured from here.</summary>
    public DateTimeOffset? ChangedSince { get; set; }

    /// <summary>A change waiting for the push crossed a threshold.</summary>
    public bool Threshold { get; set; }

    /// <summary>The first threshold crossing not pushed yet: a threshold push's latency is measured from here.</summary>
    public DateTimeOffset? ThresholdSince { get; set; }

    /// <summary>Version of the SKU when the marks above were last set.</summary>
    public long MarkedVersion { get; set; }

    /// <summary>
    /// What each target was last told, per location. The pusher keeps it beside the aggregate, not in it, so a push
    /// never rewrites the SKU that reservations and stock reports are writing.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public Dictionary<string, Dictionary<string, TargetQuantity>> Pushed { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The SKU version the pusher had pushed everything of, as it last recorded.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public long PushedVersion { get; set; }

    /// <summary>The pusher has pushed everything up to <paramref name="pushedVersion"/>: marks set by then are done.</summary>
    public void ClearIfPushed(long pushedVersion)
    {
        if (DueAt is not null && pushedVersion >= MarkedVersion)
        {
            Clear();
        }
    }

    public TargetQuantity? LastPushed(string target, string location) =>
        Pushed.TryGetValue(target, out var locations) && locations.TryGetValue(location, out var pushed) ? pushed : null;

    public void RecordPushed(string target, string location, TargetQuantity quantity)
    {
        if (!Pushed.TryGetValue(target, out var locations))
        {
            Pushed[target] = locations = new Dictionary<string, TargetQuantity>(StringComparer.Ordinal);
        }

        locations[location] = quantity;
    }

    public void Clear()
    {
        DueAt = null;
        ChangedSince = null;
        Threshold = false;
        ThresholdSince = null;
    }
}

public enum ReportKind
{
    Snapshot = 1,
    Adjustment = 2,
}

/// <summary>A source's figure for the SKU at one platform location.</summary>
public sealed record StockReport(
    string Source,
    SourceReports Reports,
    string Location,
    ReportKind Kind,
    decimal Quantity,
    long Sequence,
    DateTimeOffset? MeasuredAt,
    DateTimeOffset ReceivedAt);

public enum ReportOutcomeKind
{
    Applied = 1,
    Stale = 2,
    Invalid = 3,
}

public sealed record ReportOutcome(ReportOutcomeKind Kind, string? Reason, long LastSequence, IReadOnlyList<ReservationMove> Moves)
{
    public static ReportOutcome Applied(IReadOnlyList<ReservationMove> moves) => new(ReportOutcomeKind.Applied, null, 0, moves);

    public static ReportOutcome Stale(long lastSequence) => new(ReportOutcomeKind.Stale, null, lastSequence, []);

    public static ReportOutcome Invalid(string reason) => new(ReportOutcomeKind.Invalid, reason, 0, []);
}

public enum ReservationMoveKind
{
    Reserved = 1,
    Released = 2,
    Settled = 3,
}

/// <summary>Quantity of one order line reserved at, released from or settled at one location (empty: the backorder).</summary>
public sealed record ReservationMove(string OrderId, string LineId, string Location, ReservationMoveKind Kind, decimal Quantity);
