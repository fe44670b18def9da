using Platform.Inventory.Domain;
using static Platform.Inventory.Tests.Stock;

namespace Platform.Inventory.Tests;

public sealed class PushSchedulingTests
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(2);
    private static readonly TestThresholds Policy = new() { DefaultSafetyStock = 0, LowStock = 3 };
    private static readonly (string, TargetExpects)[] Magento = [("magento", TargetExpects.PhysicalLessOwnReservations)];
    private static readonly (string, TargetExpects)[] Shopify = [("shopify", TargetExpects.Net)];
    private static readonly (string, TargetExpects)[] Both = [.. Magento, .. Shopify];

    // Two locations with 10 each, everything pushed as it is now and the pending push done.
    private static SkuStock Pushed((string Target, TargetExpects Expects)[] targets)
    {
        var stock = Sku();
        stock.MustApply(Snapshot("berlin", 10, 1), Policy);
        stock.MustApply(Snapshot("hamburg", 10, 1), Policy);
        stock.MarkChanged(At(0), Window, targets, Policy);
        foreach (var (target, expects) in targets)
        {
            foreach (var location in stock.Locations.Keys)
            {
                stock.Push.RecordPushed(target, location, stock.ForTarget(expects, location, Policy));
            }
        }

        stock.Push.Clear();
        return stock;
    }

    [Fact]
    public void An_ordinary_change_is_due_after_the_window()
    {
        var stock = Sku();
        stock.MustApply(Snapshot("berlin", 10, 1), Policy);

        Assert.False(stock.MarkChanged(At(0), Window, Both, Policy));

        Assert.Equal(At(0) + Window, stock.Push.DueAt);
        Assert.Equal(At(0), stock.Push.ChangedSince);
        Assert.False(stock.Push.Threshold);
    }

    [Fact]
    public void Later_ordinary_changes_keep_the_earliest_due_time()
    {
        var stock = Pushed(Both);
        stock.SetDemand("O1", "1", 1, Policy);
        stock.MarkChanged(At(0), Window, Both, Policy);

        stock.SetDemand("O2", "1", 1, Policy);
        Assert.False(stock.MarkChanged(At(0).AddSeconds(1), Window, Both, Policy));

        Assert.Equal(At(0) + Window, stock.Push.DueAt);
        Assert.Equal(At(0), stock.Push.ChangedSince);
    }

    [Fact]
    public void A_status_change_is_due_at_once_even_with_an_ordinary_push_waiting()
    {
        var stock = Pushed(Both);
        stock.SetDemand("O1", "1", 1, Policy);
        stock.MarkChanged(At(0), Window, Both, Policy);

        // 19 of 20 reserved: 1 salable is low stock; every target item stays in stock, only the status moves.
        stock.SetDemand("O2", "1", 4, Policy);
        stock.SetDemand("O3", "1", 14, Policy);
        Assert.Equal(SkuStatus.LowStock, stock.Status(Policy));
        Assert.True(stock.ForTarget(TargetExpects.PhysicalLessOwnReservations, "berlin", Policy).InStock);
        Assert.True(stock.ForTarget(TargetExpects.PhysicalLessOwnReservations, "hamburg", Policy).InStock);

        Assert.True(stock.MarkChanged(At(0).AddSeconds(1), Window, Magento, Policy));

        Assert.Equal(At(0).AddSeconds(1), stock.Push.DueAt);
        Assert.True(stock.Push.Threshold);
        Assert.Equal(At(0), stock.Push.ChangedSince);
    }

    [Fact]
    public void The_same_status_again_is_not_a_crossing()
    {
        var stock = Pushed(Magento);
        stock.SetDemand("O1", "1", 18, Policy);
        Assert.True(stock.MarkChanged(At(0), Window, Magento, Policy));
        stock.Push.Clear();

        stock.SetDemand("O2", "1", 1, Policy);

        Assert.Equal(SkuStatus.LowStock, stock.Status(Policy));
        Assert.False(stock.MarkChanged(At(1), Window, Magento, Policy));
        Assert.Equal(At(1) + Window, stock.Push.DueAt);
    }

    [Fact]
    public void A_target_item_going_out_of_stock_is_due_at_once_while_the_status_stays()
    {
        var stock = Pushed(Both);

        stock.MustApply(Snapshot("hamburg", 0, 2), Policy);

        Assert.Equal(SkuStatus.InStock, stock.Status(Policy));
        Assert.True(stock.MarkChanged(At(1), Window, Both, Policy));
        Assert.Equal(At(1), stock.Push.DueAt);
    }

    [Fact]
    public void Reserving_all_of_a_location_takes_a_net_target_out_of_stock_but_not_one_that_subtracts_its_own_reservations()
    {
        var magentoOnly = Pushed(Magento);
        var shopifyOnly = Pushed(Shopify);
        foreach (var stock in new[] { magentoOnly, shopifyOnly })
        {
            stock.SetDemand("O1", "1", 10, Policy);
            Assert.Equal(10, stock.Reserved("berlin") + stock.Reserved("hamburg"));
            Assert.Equal(SkuStatus.InStock, stock.Status(Policy));
        }

        Assert.False(magentoOnly.MarkChanged(At(1), Window, Magento, Policy));
        Assert.Equal(At(1) + Window, magentoOnly.Push.DueAt);

        Assert.True(shopifyOnly.MarkChanged(At(1), Window, Shopify, Policy));
        Assert.Equal(At(1), shopifyOnly.Push.DueAt);
    }

    [Fact]
    public void A_target_item_coming_back_in_stock_is_due_at_once()
    {
        var stock = Pushed(Both);
        stock.MustApply(Snapshot("hamburg", 0, 2), Policy);
        stock.MarkChanged(At(1), Window, Both, Policy);
        stock.Push.RecordPushed("magento", "hamburg", stock.ForTarget(TargetExpects.PhysicalLessOwnReservations, "hamburg", Policy));
        stock.Push.RecordPushed("shopify", "hamburg", stock.ForTarget(TargetExpects.Net, "hamburg", Policy));
        stock.Push.Clear();

        stock.MustApply(Snapshot("hamburg", 4, 3), Policy);

        Assert.True(stock.MarkChanged(At(2), Window, Both, Policy));
        Assert.Equal(At(2), stock.Push.DueAt);
    }

    [Fact]
    public void A_quantity_change_that_leaves_every_item_in_stock_waits_for_the_window()
    {
        var stock = Pushed(Both);

        stock.MustApply(Snapshot("hamburg", 7, 2), Policy);

        Assert.False(stock.MarkChanged(At(1), Window, Both, Policy));
        Assert.Equal(At(1) + Window, stock.Push.DueAt);
        Assert.False(stock.Push.Threshold);
    }

    [Fact]
    public void An_item_never_pushed_and_out_of_stock_is_due_at_once()
    {
        var stock = Sku();
        stock.MustApply(Snapshot("berlin", 0, 1), Policy);

        Assert.True(stock.MarkChanged(At(0), Window, Magento, Policy));
        Assert.Equal(At(0), stock.Push.DueAt);
    }

    [Fact]
    public void An_ordinary_change_after_a_crossing_does_not_delay_the_push()
    {
        var stock = Pushed(Magento);
        stock.SetDemand("O1", "1", 18, Policy);
        Assert.True(stock.MarkChanged(At(1), Window, Magento, Policy));

        stock.SetDemand("O2", "1", 1, Policy);
        Assert.False(stock.MarkChanged(At(1).AddSeconds(1), Window, Magento, Policy));

        Assert.Equal(At(1), stock.Push.DueAt);
        Assert.True(stock.Push.Threshold);
    }
}
