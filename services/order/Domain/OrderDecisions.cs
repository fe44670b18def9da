namespace Platform.Order.Domain;

/// <summary>Something that happened to an order, to be published and acted on (ERP documents, reservations).</summary>
public abstract record OrderChange
{
    public sealed record Placed : OrderChange;
    public sealed record Revised(int PreviousRevision) : OrderChange;
    public sealed record Cancelled(IReadOnlyList<(string LineId, string Sku, decimal Quantity)> Lines) : OrderChange;
    public sealed record Invoiced : OrderChange;
    public sealed record Shipped(IReadOnlyList<(string LineId, string Sku, decimal Quantity)> Lines, bool Fully) : OrderChange;
    public sealed record Refunded(IReadOnlyList<(string LineId, string Sku, decimal Quantity)> Lines, decimal Amount, bool Fully) : OrderChange;
    public sealed record Exported(int Revision, string ErpDocumentNumber) : OrderChange;
}

/// <summary>The outcome of applying a snapshot or an export to an order.</summary>
public sealed record OrderDecision(
    OrderRecord? Record,
    IReadOnlyList<OrderChange> Changes,
    IReadOnlyList<IllegalTransitionException> Refused,
    OrderDecisionKind Kind)
{
    public static OrderDecision Ignored(OrderRecord? record, OrderDecisionKind kind) => new(record, [], [], kind);
}

public enum OrderDecisionKind
{
    /// <summary>State changed: save the record and publish the changes.</summary>
    Applied,

    /// <summary>The snapshot is older than what the platform holds (out-of-order delivery): ignored.</summary>
    Stale,

    /// <summary>Nothing new (a duplicate webhook, the poll seeing what a webhook already brought).</summary>
    Unchanged,
}

/// <summary>
/// Turns a storefront snapshot into the changes it implies for the platform's order. Snapshots, not deltas, travel
/// from the storefront, so a duplicated or reordered delivery can never apply a shipment or refund twice: each
/// change is the difference between the snapshot and what the platform already holds.
/// </summary>
public static class OrderDecider
{
    public static OrderDecision Apply(OrderRecord? current, StorefrontOrder snapshot)
    {
        if (current is null)
        {
            var placed = new OrderRecord(snapshot with { }, OrderStatus.Placed, 1, false, null, null, 1);
            var decision = new List<OrderChange> { new OrderChange.Placed() };
            // An order first seen late may already be cancelled, paid or shipped: it is placed, then caught up.
            return CatchUp(placed, snapshot, decision, [], isNew: true);
        }

        if (snapshot.UpdatedAt < current.Snapshot.UpdatedAt)
        {
            return OrderDecision.Ignored(current, OrderDecisionKind.Stale);
        }

        if (snapshot.SameContent(current.Snapshot))
        {
            return OrderDecision.Ignored(current, OrderDecisionKind.Unchanged);
        }

        return CatchUp(current, snapshot, [], [], isNew: false);
    }

    /// <summary>The ERP accepted <paramref name="revision"/> under <paramref name="documentNumber"/>.</summary>
    public static OrderDecision Export(OrderRecord current, int revision, string documentNumber)
    {
        if (current.ExportedRevision >= revision)
        {
            return OrderDecision.Ignored(current, OrderDecisionKind.Unchanged);
        }

        if (revision != current.Revision)
        {
            // An older revision reached the ERP after the order was revised: keep its number, the new revision still goes out.
            var kept = current with { ExportedRevision = revision, ErpDocumentNumber = documentNumber, Version = current.Version + 1 };
            return new OrderDecision(kept, [new OrderChange.Exported(revision, documentNumber)], [], OrderDecisionKind.Applied);
        }

        if (!OrderLifecycle.TryApply(current.Status, OrderAction.Export, out var status))
        {
            // Cancelled before the export confirmation arrived: the ERP document exists, record its number only.
            var refused = current with { ExportedRevision = revision, ErpDocumentNumber = documentNumber, Version = current.Version + 1 };
            return new OrderDecision(refused, [new OrderChange.Exported(revision, documentNumber)], [new IllegalTransitionException(current.Status, OrderAction.Export)], OrderDecisionKind.Applied);
        }

        var exported = current with { Status = status, ExportedRevision = revision, ErpDocumentNumber = documentNumber, Version = current.Version + 1 };
        return new OrderDecision(exported, [new OrderChange.Exported(revision, documentNumber)], [], OrderDecisionKind.Applied);
    }

    private static OrderDecision CatchUp(OrderRecord record, StorefrontOrder snapshot, List<OrderChange> changes, List<IllegalTransitionException> refused, bool isNew)
    {
        var before = record.Snapshot;
        var status = record.Status;
        var revision = record.Revision;
        var invoiced = record.Invoiced;

        bool Step(OrderAction action)
        {
            if (OrderLifecycle.TryApply(status, action, out var next))
            {
                status = next;
                return true;
            }

            refused.Add(new IllegalTransitionException(status, action));
            return false;
        }

        if (!isNew && !before.SameCommercialTerms(snapshot) && Step(OrderAction.Revise))
        {
            changes.Add(new OrderChange.Revised(revision));
            revision++;
        }

        if (snapshot.Cancelled && status != OrderStatus.Cancelled && (isNew || !before.Cancelled))
        {
            var open = snapshot.Lines.Where(l => l.Shippable - l.Shipped > 0).Select(l => (l.LineId, l.Sku, l.Shippable - l.Shipped)).ToList();
            if (Step(OrderAction.Cancel))
            {
                changes.Add(new OrderChange.Cancelled(open));
            }
        }

        if (snapshot.Invoiced && !invoiced)
        {
            // Invoicing before the ERP export is normal (payment captured at checkout): recorded, no state change yet.
            if (status == OrderStatus.Placed || Step(OrderAction.Invoice))
            {
                invoiced = true;
                changes.Add(new OrderChange.Invoiced());
            }
        }

        var shipped = Delta(before, snapshot, l => l.Shipped, isNew);
        if (shipped.Count > 0 && Step(snapshot.FullyShipped ? OrderAction.ShipFully : OrderAction.ShipPartially))
        {
            changes.Add(new OrderChange.Shipped(shipped, snapshot.FullyShipped));
        }

        var refunded = Delta(before, snapshot, l => l.Refunded, isNew);
        var refundedAmount = snapshot.Totals.Refunded - (isNew ? 0 : before.Totals.Refunded);
        if ((refunded.Count > 0 || refundedAmount > 0) && Step(snapshot.FullyRefunded ? OrderAction.RefundFully : OrderAction.RefundPartially))
        {
            changes.Add(new OrderChange.Refunded(refunded, Math.Max(0, refundedAmount), snapshot.FullyRefunded));
        }

        var updated = record with
        {
            Snapshot = snapshot,
            Status = status,
            Revision = revision,
            Invoiced = invoiced,
            Version = isNew ? record.Version : record.Version + 1,
        };
        return new OrderDecision(updated, changes, refused, OrderDecisionKind.Applied);
    }

    private static List<(string LineId, string Sku, decimal Quantity)> Delta(StorefrontOrder before, StorefrontOrder after, Func<OrderLine, decimal> quantity, bool fromZero)
    {
        var previous = before.Lines.ToDictionary(l => l.LineId, StringComparer.Ordinal);
        var delta = new List<(string, string, decimal)>();
        foreach (var line in after.Lines)
        {
            var was = fromZero || !previous.TryGetValue(line.LineId, out var old) ? 0 : quantity(old);
            var now = quantity(line);
            if (now > was)
            {
                delta.Add((line.LineId, line.Sku, now - was));
            }
        }

        return delta;
    }
}
