using Platform.Connectors.Magento;
using Platform.Order.Domain;

namespace Platform.Order.Infrastructure;

/// <summary>Magento's order document as the domain's storefront snapshot; personal data is dropped here.</summary>
public static class MagentoOrders
{
    public static StorefrontOrder ToSnapshot(string storeCode, MagentoOrder order)
    {
        var lines = order.Lines.Select(item => new OrderLine(
            item.ItemId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            item.Sku,
            item.QtyOrdered,
            item.QtyShipped,
            item.QtyCanceled,
            item.QtyRefunded,
            item.Price,
            Math.Abs(item.DiscountAmount),
            item.TaxAmount,
            item.RowTotal)).ToList();
        var refunded = lines.Sum(l => l.Ordered == 0 ? 0 : l.RowTotal / l.Ordered * l.Refunded);
        return new StorefrontOrder(
            storeCode,
            order.IncrementId,
            order.CustomerIsGuest || order.CustomerId is null ? null : $"magento:{storeCode}:{order.CustomerId}",
            order.OrderCurrencyCode,
            lines,
            new OrderTotals(order.Subtotal, order.ShippingAmount, Math.Abs(order.DiscountAmount), order.TaxAmount, order.GrandTotal, decimal.Round(refunded, 4)),
            order.ShipTo?.CountryId,
            order.ShipTo?.RegionCode,
            order.CreatedAt,
            order.UpdatedAt,
            Cancelled: order.State == "canceled",
            // Magento moves an order to "processing" once it is invoiced (payment captured) and to "complete" or
            // "closed" after that; the document carries no simpler flag the platform can rely on.
            Invoiced: order.State is "processing" or "complete" or "closed");
    }
}
