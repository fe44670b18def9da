namespace Platform.Order.Domain;

public enum OrderStatus
{
    Placed,
    Exported,
    Invoiced,
    PartiallyShipped,
    Shipped,
    PartiallyRefunded,
    Refunded,
    Cancelled,
}

/// <summary>Everything that can happen to an order after it was placed.</summary>
public enum OrderAction
{
    /// <summary>The storefront edited the order (lines, quantities, prices): a new revision that must be exported again.</summary>
    Revise,

    /// <summary>The ERP accepted the current revision.</summary>
    Export,

    Invoice,
    ShipPartially,
    ShipFully,
    Cancel,
    RefundPartially,
    RefundFully,
}

/// <summary>
/// The order state machine. Every pair of state and action is either a transition listed here or refused:
/// nothing is applied by default. Shipping and invoicing are independent in Magento (an order is often invoiced
/// at payment capture, before it ships), so <see cref="OrderStatus.Invoiced"/> is a state only until the first
/// shipment; after that the invoice is kept as a flag on the order and the state follows fulfilment.
/// </summary>
public static class OrderLifecycle
{
    private static readonly Dictionary<(OrderStatus From, OrderAction Action), OrderStatus> Transitions = new()
    {
        // Revising sends the order back to "placed": the new revision has not reached the ERP yet.
        [(OrderStatus.Placed, OrderAction.Revise)] = OrderStatus.Placed,
        [(OrderStatus.Placed, OrderAction.Export)] = OrderStatus.Exported,
        [(OrderStatus.Placed, OrderAction.Cancel)] = OrderStatus.Cancelled,

        [(OrderStatus.Exported, OrderAction.Revise)] = OrderStatus.Placed,
        [(OrderStatus.Exported, OrderAction.Invoice)] = OrderStatus.Invoiced,
        [(OrderStatus.Exported, OrderAction.ShipPartially)] = OrderStatus.PartiallyShipped,
        [(OrderStatus.Exported, OrderAction.ShipFully)] = OrderStatus.Shipped,
        [(OrderStatus.Exported, OrderAction.Cancel)] = OrderStatus.Cancelled,
        [(OrderStatus.Exported, OrderAction.RefundPartially)] = OrderStatus.PartiallyRefunded,
        [(OrderStatus.Exported, OrderAction.RefundFully)] = OrderStatus.Refunded,

        [(OrderStatus.Invoiced, OrderAction.ShipPartially)] = OrderStatus.PartiallyShipped,
        [(OrderStatus.Invoiced, OrderAction.ShipFully)] = OrderStatus.Shipped,
        [(OrderStatus.Invoiced, OrderAction.Cancel)] = OrderStatus.Cancelled,
        [(OrderStatus.Invoiced, OrderAction.RefundPartially)] = OrderStatus.PartiallyRefunded,
        [(OrderStatus.Invoiced, OrderAction.RefundFully)] = OrderStatus.Refunded,

        [(OrderStatus.PartiallyShipped, OrderAction.Invoice)] = OrderStatus.PartiallyShipped,
        [(OrderStatus.PartiallyShipped, OrderAction.ShipPartially)] = OrderStatus.PartiallyShipped,
        [(OrderStatus.PartiallyShipped, OrderAction.ShipFully)] = OrderStatus.Shipped,
        [(OrderStatus.PartiallyShipped, OrderAction.RefundPartially)] = OrderStatus.PartiallyRefunded,
        [(OrderStatus.PartiallyShipped, OrderAction.RefundFully)] = OrderStatus.Refunded,

        [(OrderStatus.Shipped, OrderAction.Invoice)] = OrderStatus.Shipped,
        [(OrderStatus.Shipped, OrderAction.RefundPartially)] = OrderStatus.PartiallyRefunded,
        [(OrderStatus.Shipped, OrderAction.RefundFully)] = OrderStatus.Refunded,

        // Shipping what was not refunded is still possible after a partial refund (e.g. one line refunded, the rest ships).
        [(OrderStatus.PartiallyRefunded, OrderAction.Invoice)] = OrderStatus.PartiallyRefunded,
        [(OrderStatus.PartiallyRefunded, OrderAction.ShipPartially)] = OrderStatus.PartiallyRefunded,
        [(OrderStatus.PartiallyRefunded, OrderAction.ShipFully)] = OrderStatus.PartiallyRefunded,
        [(OrderStatus.PartiallyRefunded, OrderAction.RefundPartially)] = OrderStatus.PartiallyRefunded,
        [(OrderStatus.PartiallyRefunded, OrderAction.RefundFully)] = OrderStatus.Refunded,
    };

    public static IReadOnlyCollection<(OrderStatus From, OrderAction Action)> LegalTransitions => Transitions.Keys;

    public static bool IsLegal(OrderStatus from, OrderAction action) => Transitions.ContainsKey((from, action));

    public static bool TryApply(OrderStatus from, OrderAction action, out OrderStatus to) => Transitions.TryGetValue((from, action), out to);

    /// <exception cref="IllegalTransitionException">The action is not allowed in that state.</exception>
    public static OrderStatus Apply(OrderStatus from, OrderAction action) =>
        TryApply(from, action, out var to) ? to : throw new IllegalTransitionException(from, action);

    /// <summary>Cancelled and fully refunded orders take no further action.</summary>
    public static bool IsFinal(OrderStatus status) => status is OrderStatus.Cancelled or OrderStatus.Refunded;
}

public sealed class IllegalTransitionException(OrderStatus from, OrderAction action)
    : InvalidOperationException($"an order that is {from} cannot be {Describe(action)}")
{
    public OrderStatus From { get; } = from;
    public OrderAction Action { get; } = action;

    private static string Describe(OrderAction action) => action switch
    {
        OrderAction.Revise => "revised",
        OrderAction.Export => "exported",
        OrderAction.Invoice => "invoiced",
        OrderAction.ShipPartially => "partially shipped",
        OrderAction.ShipFully => "shipped",
        OrderAction.Cancel => "cancelled",
        OrderAction.RefundPartially => "partially refunded",
        OrderAction.RefundFully => "fully refunded",
        _ => action.ToString(),
    };
}
