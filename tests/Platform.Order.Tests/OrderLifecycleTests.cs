using Platform.Order.Domain;
using static Platform.Order.Domain.OrderAction;
using static Platform.Order.Domain.OrderStatus;

namespace Platform.Order.Tests;

public sealed class OrderLifecycleTests
{
    // The expected table, written out independently of the implementation: every pair not listed must be refused.
    private static readonly Dictionary<(OrderStatus, OrderAction), OrderStatus> Expected = new()
    {
        [(Placed, Revise)] = Placed,
        [(Placed, Export)] = Exported,
        [(Placed, Cancel)] = Cancelled,
        [(Exported, Revise)] = Placed,
        [(Exported, Invoice)] = Invoiced,
        [(Exported, ShipPartially)] = PartiallyShipped,
        [(Exported, ShipFully)] = Shipped,
        [(Exported, Cancel)] = Cancelled,
        [(Exported, RefundPartially)] = PartiallyRefunded,
        [(Exported, RefundFully)] = Refunded,
        [(Invoiced, ShipPartially)] = PartiallyShipped,
        [(Invoiced, ShipFully)] = Shipped,
        [(Invoiced, Cancel)] = Cancelled,
        [(Invoiced, RefundPartially)] = PartiallyRefunded,
        [(Invoiced, RefundFully)] = Refunded,
        [(PartiallyShipped, Invoice)] = PartiallyShipped,
        [(PartiallyShipped, ShipPartially)] = PartiallyShipped,
        [(PartiallyShipped, ShipFully)] = Shipped,
        [(PartiallyShipped, RefundPartially)] = PartiallyRefunded,
        [(PartiallyShipped, RefundFully)] = Refunded,
        [(Shipped, Invoice)] = Shipped,
        [(Shipped, RefundPartially)] = PartiallyRefunded,
        [(Shipped, RefundFully)] = Refunded,
        [(PartiallyRefunded, Invoice)] = PartiallyRefunded,
        [(PartiallyRefunded, ShipPartially)] = PartiallyRefunded,
        [(PartiallyRefunded, ShipFully)] = PartiallyRefunded,
        [(PartiallyRefunded, RefundPartially)] = PartiallyRefunded,
        [(PartiallyRefunded, RefundFully)] = Refunded,
    };

    public static TheoryData<OrderStatus, OrderAction, OrderStatus> LegalTransitions()
    {
        var data = new TheoryData<OrderStatus, OrderAction, OrderStatus>();
        foreach (var ((from, action), to) in Expected)
        {
            data.Add(from, action, to);
        }

        return data;
    }

    public static TheoryData<OrderStatus, OrderAction> IllegalTransitions()
    {
        var data = new TheoryData<OrderStatus, OrderAction>();
        foreach (var from in Enum.GetValues<OrderStatus>())
        {
            foreach (var action in Enum.GetValues<OrderAction>())
            {
                if (!Expected.ContainsKey((from, action)))
                {
                    data.Add(from, action);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(LegalTransitions))]
    public void A_legal_transition_moves_the_order_to_its_next_state(OrderStatus from, OrderAction action, OrderStatus to)
    {
        Assert.True(OrderLifecycle.IsLegal(from, action));
        Assert.Equal(to, OrderLifecycle.Apply(from, action));
    }

    [Theory]
    [MemberData(nameof(IllegalTransitions))]
    public void An_illegal_transition_is_refused_with_a_reason(OrderStatus from, OrderAction action)
    {
        Assert.False(OrderLifecycle.IsLegal(from, action));
        var error = Assert.Throws<IllegalTransitionException>(() => OrderLifecycle.Apply(from, action));
        Assert.Equal(from, error.From);
        Assert.Equal(action, error.Action);
        Assert.StartsWith($"an order that is {from} cannot be ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_implementation_allows_exactly_the_expected_transitions()
    {
        Assert.Equal(Expected.Keys.Order(), OrderLifecycle.LegalTransitions.Order());
    }

    [Theory]
    [InlineData(Cancelled)]
    [InlineData(Refunded)]
    public void Final_states_take_no_action(OrderStatus final)
    {
        Assert.True(OrderLifecycle.IsFinal(final));
        Assert.All(Enum.GetValues<OrderAction>(), action => Assert.False(OrderLifecycle.IsLegal(final, action)));
    }
}
