using System.Globalization;

namespace Platform.Sandbox.Systems.Magento;

// The sandbox's own copies of Magento 2 REST payloads (sales order, invoice, shipment, credit memo, search result), written
// from the public REST reference: snake_case names, 0/1 integers for flags, "yyyy-MM-dd HH:mm:ss" UTC timestamps, numbers
// without trailing zeros, and no property at all where Magento has no value (SystemJson.SnakeCaseWithoutNulls).

public sealed record MagentoSearchResult<T>(IReadOnlyList<T> Items, SearchCriteria SearchCriteria, int TotalCount);

public sealed record MagentoOrderPayload
{
    public required string BaseCurrencyCode { get; init; }
    public decimal BaseDiscountAmount { get; init; }
    public decimal BaseGrandTotal { get; init; }
    public decimal BaseShippingAmount { get; init; }
    public decimal BaseShippingInclTax { get; init; }
    public decimal BaseShippingTaxAmount { get; init; }
    public decimal BaseSubtotal { get; init; }
    public decimal BaseSubtotalInclTax { get; init; }
    public decimal BaseTaxAmount { get; init; }
    public decimal BaseTotalDue { get; init; }
    public decimal? BaseTotalInvoiced { get; init; }
    public decimal? BaseTotalPaid { get; init; }
    public decimal? BaseTotalRefunded { get; init; }
    public decimal? BaseTotalCanceled { get; init; }
    public decimal BaseToGlobalRate { get; init; } = 1;
    public decimal BaseToOrderRate { get; init; } = 1;
    public long BillingAddressId { get; init; }
    public required string CreatedAt { get; init; }
    public required string CustomerEmail { get; init; }
    public string? CustomerFirstname { get; init; }
    public int CustomerGroupId { get; init; }
    public long? CustomerId { get; init; }
    public int CustomerIsGuest { get; init; }
    public string? CustomerLastname { get; init; }
    public int CustomerNoteNotify { get; init; } = 1;
    public decimal DiscountAmount { get; init; }
    public decimal? DiscountRefunded { get; init; }
    public int EmailSent { get; init; } = 1;
    public long EntityId { get; init; }
    public required string GlobalCurrencyCode { get; init; }
    public decimal GrandTotal { get; init; }
    public required string IncrementId { get; init; }
    public int IsVirtual { get; init; }
    public required string OrderCurrencyCode { get; init; }
    public required string ProtectCode { get; init; }
    public long QuoteId { get; init; }
    public decimal? AdjustmentPositive { get; init; }
    public decimal? AdjustmentNegative { get; init; }
    public decimal ShippingAmount { get; init; }
    public decimal? ShippingCanceled { get; init; }
    public required string ShippingDescription { get; init; }
    public decimal ShippingDiscountAmount { get; init; }
    public decimal ShippingInclTax { get; init; }
    public decimal? ShippingInvoiced { get; init; }
    public decimal? ShippingRefunded { get; init; }
    public decimal ShippingTaxAmount { get; init; }
    public decimal? ShippingTaxRefunded { get; init; }
    public required string State { get; init; }
    public required string Status { get; init; }
    public required string StoreCurrencyCode { get; init; }
    public int StoreId { get; init; }
    public required string StoreName { get; init; }
    public decimal StoreToBaseRate { get; init; }
    public decimal StoreToOrderRate { get; init; }
    public decimal Subtotal { get; init; }
    public decimal? SubtotalCanceled { get; init; }
    public decimal SubtotalInclTax { get; init; }
    public decimal? SubtotalInvoiced { get; init; }
    public decimal? SubtotalRefunded { get; init; }
    public decimal TaxAmount { get; init; }
    public decimal? TaxInvoiced { get; init; }
    public decimal? TaxRefunded { get; init; }
    public decimal? TotalCanceled { get; init; }
    public decimal TotalDue { get; init; }
    public decimal? TotalInvoiced { get; init; }
    public int TotalItemCount { get; init; }
    public decimal? TotalOfflineRefunded { get; init; }
    public decimal? TotalPaid { get; init; }
    public decimal TotalQtyOrdered { get; init; }
    public decimal? TotalRefunded { get; init; }
    public required string UpdatedAt { get; init; }
    public decimal Weight { get; init; }
    public required IReadOnlyList<MagentoOrderItemPayload> Items { get; init; }
    public required MagentoAddressPayload BillingAddress { get; init; }
    public required MagentoPaymentPayload Payment { get; init; }
    public IReadOnlyList<MagentoStatusHistoryPayload> StatusHistories { get; init; } = [];
    public required MagentoOrderExtensionAttributes ExtensionAttributes { get; init; }

    public static MagentoOrderPayload From(SalesOrder order)
    {
        var items = ItemPayloads(order);
        var invoiced = order.InvoiceIds.Count > 0;
        var refunded = order.CreditMemoIds.Count > 0;
        var canceled = order.TotalCanceled > 0;
        var shippingInclTax = order.ShippingAmount + order.ShippingTaxAmount;
        var subtotalInclTax = order.PricedItems.Sum(item => item.RowTotal + item.TaxAmount);
        var totalDue = order.GrandTotal - order.TotalPaid;
        var billing = MagentoAddressPayload.From(order.BillingAddress, "billing", order.EntityId * 2 - 1, order);
        return new MagentoOrderPayload
        {
            BaseCurrencyCode = order.Currency,
            BaseDiscountAmount = order.DiscountAmount,
            BaseGrandTotal = order.GrandTotal,
            BaseShippingAmount = order.ShippingAmount,
            BaseShippingInclTax = shippingInclTax,
            BaseShippingTaxAmount = order.ShippingTaxAmount,
            BaseSubtotal = order.Subtotal,
            BaseSubtotalInclTax = subtotalInclTax,
            BaseTaxAmount = order.TaxAmount,
            BaseTotalDue = totalDue,
            BaseTotalInvoiced = invoiced ? order.TotalInvoiced : null,
            BaseTotalPaid = invoiced ? order.TotalPaid : null,
            BaseTotalRefunded = refunded ? order.TotalRefunded : null,
            BaseTotalCanceled = canceled ? order.TotalCanceled : null,
            BillingAddressId = billing.EntityId,
            CreatedAt = MagentoFormat.Date(order.CreatedAt),
            CustomerEmail = order.Customer.Email,
            CustomerFirstname = order.Customer.Firstname,
            CustomerGroupId = order.Customer.GroupId,
            CustomerId = order.Customer.Id,
            CustomerIsGuest = order.Customer.IsGuest ? 1 : 0,
            CustomerLastname = order.Customer.Lastname,
            DiscountAmount = order.DiscountAmount,
            DiscountRefunded = refunded ? order.DiscountRefunded : null,
            EntityId = order.EntityId,
            GlobalCurrencyCode = order.Currency,
            GrandTotal = order.GrandTotal,
            IncrementId = order.IncrementId,
            IsVirtual = order.IsVirtual ? 1 : 0,
            OrderCurrencyCode = order.Currency,
            ProtectCode = order.EntityId.ToString("x6", CultureInfo.InvariantCulture) + order.IncrementId[^6..],
            QuoteId = order.EntityId + 1000,
            AdjustmentPositive = refunded ? order.AdjustmentPositive : null,
            AdjustmentNegative = refunded ? order.AdjustmentNegative : null,
            ShippingAmount = order.ShippingAmount,
            ShippingCanceled = canceled && !invoiced ? order.ShippingAmount : null,
            ShippingDescription = order.ShippingDescription,
            ShippingInclTax = shippingInclTax,
            ShippingInvoiced = invoiced ? order.ShippingAmount : null,
            ShippingRefunded = refunded ? order.ShippingRefunded : null,
            ShippingTaxAmount = order.ShippingTaxAmount,
            ShippingTaxRefunded = refunded ? order.ShippingTaxRefunded : null,
            State = order.State,
            Status = order.Status,
            StoreCurrencyCode = order.Currency,
            StoreId = order.Store.Id,
            StoreName = $"Main Website\nMain Website Store\n{order.Store.Name}",
            Subtotal = order.Subtotal,
            SubtotalCanceled = canceled && !invoiced ? order.Subtotal : null,
            SubtotalInclTax = subtotalInclTax,
            SubtotalInvoiced = invoiced ? order.Subtotal : null,
            SubtotalRefunded = refunded ? order.SubtotalRefunded : null,
            TaxAmount = order.TaxAmount,
            TaxInvoiced = invoiced ? order.TaxAmount : null,
            TaxRefunded = refunded ? order.TaxRefunded : null,
            TotalCanceled = canceled ? order.TotalCanceled : null,
            TotalDue = totalDue,
            TotalInvoiced = invoiced ? order.TotalInvoiced : null,
            TotalItemCount = order.PricedItems.Count(),
            TotalOfflineRefunded = refunded ? order.TotalRefunded : null,
            TotalPaid = invoiced ? order.TotalPaid : null,
            TotalQtyOrdered = order.TotalQtyOrdered,
            TotalRefunded = refunded ? order.TotalRefunded : null,
            UpdatedAt = MagentoFormat.Date(order.UpdatedAt),
            Weight = order.PricedItems.Sum(item => item.QtyOrdered),
            Items = items,
            BillingAddress = billing,
            Payment = MagentoPaymentPayload.From(order),
            ExtensionAttributes = new MagentoOrderExtensionAttributes
            {
                ShippingAssignments =
                [
                    new MagentoShippingAssignment(
                        new MagentoShipping(
                            MagentoAddressPayload.From(order.ShippingAddress, "shipping", order.EntityId * 2, order),
                            order.ShippingMethod,
                            new MagentoShippingTotal(order.ShippingAmount, shippingInclTax, order.ShippingTaxAmount,
                                order.ShippingAmount, shippingInclTax, order.ShippingTaxAmount)),
                        items),
                ],
                PaymentAdditionalInfo = [new MagentoKeyValue("method_title", MagentoPaymentPayload.Title(order.PaymentMethod))],
                AppliedTaxes = order.TaxAmount == 0
                    ? []
                    : order.PricedItems.Select(item => item.TaxPercent).Where(percent => percent > 0).Distinct()
                        .Select(percent => new MagentoAppliedTax(
                            $"{order.ShippingAddress.CountryId}-{percent.ToString(CultureInfo.InvariantCulture)}",
                            $"{order.ShippingAddress.CountryId}-{percent.ToString(CultureInfo.InvariantCulture)}",
                            percent,
                            order.PricedItems.Where(item => item.TaxPercent == percent).Sum(item => item.TaxAmount)))
                        .ToList(),
            },
        };
    }

    private static List<MagentoOrderItemPayload> ItemPayloads(SalesOrder order)
    {
        var payloads = new List<MagentoOrderItemPayload>(order.Items.Count);
        var parents = new Dictionary<long, MagentoOrderItemPayload>();
        foreach (var item in order.Items)
        {
            var payload = MagentoOrderItemPayload.From(item, order, item.ParentItemId is { } parentId ? parents.GetValueOrDefault(parentId) : null);
            parents[item.ItemId] = payload;
            payloads.Add(payload);
        }

        return payloads;
    }
}

public sealed record MagentoOrderItemPayload
{
    public decimal AmountRefunded { get; init; }
    public decimal BaseAmountRefunded { get; init; }
    public decimal BaseDiscountAmount { get; init; }
    public decimal BaseOriginalPrice { get; init; }
    public decimal BasePrice { get; init; }
    public decimal BasePriceInclTax { get; init; }
    public decimal BaseRowTotal { get; init; }
    public decimal BaseRowTotalInclTax { get; init; }
    public decimal BaseTaxAmount { get; init; }
    public required string CreatedAt { get; init; }
    public decimal DiscountAmount { get; init; }
    public decimal DiscountInvoiced { get; init; }
    public decimal DiscountPercent { get; init; }
    public decimal? DiscountRefunded { get; init; }
    public int FreeShipping { get; init; }
    public int IsQtyDecimal { get; init; }
    public int IsVirtual { get; init; }
    public long ItemId { get; init; }
    public required string Name { get; init; }
    public int NoDiscount { get; init; }
    public long OrderId { get; init; }
    public decimal OriginalPrice { get; init; }
    public long? ParentItemId { get; init; }
    public decimal Price { get; init; }
    public decimal PriceInclTax { get; init; }
    public long ProductId { get; init; }
    public required string ProductType { get; init; }
    public decimal QtyCanceled { get; init; }
    public decimal QtyInvoiced { get; init; }
    public decimal QtyOrdered { get; init; }
    public decimal QtyRefunded { get; init; }
    public decimal QtyShipped { get; init; }
    public long QuoteItemId { get; init; }
    public decimal RowInvoiced { get; init; }
    public decimal RowTotal { get; init; }
    public decimal RowTotalInclTax { get; init; }
    public decimal RowWeight { get; init; }
    public required string Sku { get; init; }
    public int StoreId { get; init; }
    public decimal TaxAmount { get; init; }
    public decimal TaxInvoiced { get; init; }
    public decimal TaxPercent { get; init; }
    public decimal? TaxRefunded { get; init; }
    public required string UpdatedAt { get; init; }
    public decimal Weight { get; init; }

    /// <summary>A child item repeats its whole parent item, as Magento's order item repository returns it.</summary>
    public MagentoOrderItemPayload? ParentItem { get; init; }

    public static MagentoOrderItemPayload From(SalesOrderItem item, SalesOrder order, MagentoOrderItemPayload? parent)
    {
        var priceInclTax = item.QtyOrdered == 0 ? item.Price : Money.Round((item.RowTotal + item.TaxAmount) / item.QtyOrdered);
        var invoicedShare = item.QtyOrdered == 0 ? 0 : item.QtyInvoiced / item.QtyOrdered;
        var weight = item.ProductType == "virtual" ? 0 : 1;
        return new MagentoOrderItemPayload
        {
            AmountRefunded = item.AmountRefunded,
            BaseAmountRefunded = item.AmountRefunded,
            BaseDiscountAmount = item.DiscountAmount,
            BaseOriginalPrice = item.Price,
            BasePrice = item.Price,
            BasePriceInclTax = priceInclTax,
            BaseRowTotal = item.RowTotal,
            BaseRowTotalInclTax = item.RowTotal + item.TaxAmount,
            BaseTaxAmount = item.TaxAmount,
            CreatedAt = MagentoFormat.Date(order.CreatedAt),
            DiscountAmount = item.DiscountAmount,
            DiscountInvoiced = Money.Round(item.DiscountAmount * invoicedShare),
            DiscountPercent = item.RowTotal == 0 ? 0 : Math.Round(item.DiscountAmount * 100 / item.RowTotal, 2),
            DiscountRefunded = item.QtyRefunded > 0 ? item.DiscountRefunded : null,
            IsVirtual = item.ProductType == "virtual" ? 1 : 0,
            ItemId = item.ItemId,
            Name = item.Name,
            OrderId = order.EntityId,
            OriginalPrice = item.Price,
            ParentItemId = item.ParentItemId,
            Price = item.Price,
            PriceInclTax = priceInclTax,
            ProductId = item.ProductId,
            ProductType = item.ProductType,
            QtyCanceled = item.QtyCanceled,
            QtyInvoiced = item.QtyInvoiced,
            QtyOrdered = item.QtyOrdered,
            QtyRefunded = item.QtyRefunded,
            QtyShipped = item.QtyShipped,
            QuoteItemId = item.ItemId + 5000,
            RowInvoiced = Money.Round(item.RowTotal * invoicedShare),
            RowTotal = item.RowTotal,
            RowTotalInclTax = item.RowTotal + item.TaxAmount,
            RowWeight = weight * item.QtyOrdered,
            Sku = item.Sku,
            StoreId = order.Store.Id,
            TaxAmount = item.TaxAmount,
            TaxInvoiced = Money.Round(item.TaxAmount * invoicedShare),
            TaxPercent = item.TaxPercent,
            TaxRefunded = item.QtyRefunded > 0 ? item.TaxRefunded : null,
            UpdatedAt = MagentoFormat.Date(order.UpdatedAt),
            Weight = weight,
            ParentItem = parent,
        };
    }
}

public sealed record MagentoAddressPayload
{
    public required string AddressType { get; init; }
    public required string City { get; init; }
    public required string CountryId { get; init; }
    public long? CustomerAddressId { get; init; }
    public required string Email { get; init; }
    public long EntityId { get; init; }
    public required string Firstname { get; init; }
    public required string Lastname { get; init; }
    public long ParentId { get; init; }
    public required string Postcode { get; init; }
    public string? Region { get; init; }
    public string? RegionCode { get; init; }
    public int? RegionId { get; init; }
    public required IReadOnlyList<string> Street { get; init; }
    public required string Telephone { get; init; }

    public static MagentoAddressPayload From(SalesAddress address, string type, long entityId, SalesOrder order) => new()
    {
        AddressType = type,
        City = address.City,
        CountryId = address.CountryId,
        CustomerAddressId = order.Customer.Id,
        Email = order.Customer.Email,
        EntityId = entityId,
        Firstname = address.Firstname,
        Lastname = address.Lastname,
        ParentId = order.EntityId,
        Postcode = address.Postcode,
        Region = address.Region,
        RegionCode = address.RegionCode,
        RegionId = address.RegionId,
        Street = address.Street,
        Telephone = address.Telephone,
    };
}

public sealed record MagentoPaymentPayload
{
    public required IReadOnlyList<string> AdditionalInformation { get; init; }
    public decimal AmountOrdered { get; init; }
    public decimal? AmountPaid { get; init; }
    public decimal? AmountRefunded { get; init; }
    public decimal BaseAmountOrdered { get; init; }
    public decimal BaseShippingAmount { get; init; }
    public long EntityId { get; init; }
    public required string Method { get; init; }
    public long ParentId { get; init; }
    public decimal ShippingAmount { get; init; }

    public static MagentoPaymentPayload From(SalesOrder order) => new()
    {
        AdditionalInformation = [Title(order.PaymentMethod)],
        AmountOrdered = order.GrandTotal,
        AmountPaid = order.InvoiceIds.Count > 0 ? order.TotalPaid : null,
        AmountRefunded = order.CreditMemoIds.Count > 0 ? order.TotalRefunded : null,
        BaseAmountOrdered = order.GrandTotal,
        BaseShippingAmount = order.ShippingAmount,
        EntityId = order.EntityId,
        Method = order.PaymentMethod,
        ParentId = order.EntityId,
        ShippingAmount = order.ShippingAmount,
    };

    public static string Title(string method) => method switch
    {
        "checkmo" => "Check / Money order",
        "banktransfer" => "Bank Transfer Payment",
        "cashondelivery" => "Cash On Delivery",
        "free" => "No Payment Information Required",
        _ => method,
    };
}

public sealed record MagentoStatusHistoryPayload(string Comment, string CreatedAt, long EntityId, string EntityName, int IsCustomerNotified, long ParentId, string Status);

public sealed record MagentoOrderExtensionAttributes
{
    public required IReadOnlyList<MagentoShippingAssignment> ShippingAssignments { get; init; }
    public required IReadOnlyList<MagentoKeyValue> PaymentAdditionalInfo { get; init; }
    public required IReadOnlyList<MagentoAppliedTax> AppliedTaxes { get; init; }
    public IReadOnlyList<object> ItemAppliedTaxes { get; init; } = [];
    public bool ConvertingFromQuote { get; init; } = true;
}

public sealed record MagentoShippingAssignment(MagentoShipping Shipping, IReadOnlyList<MagentoOrderItemPayload> Items);

public sealed record MagentoShipping(MagentoAddressPayload Address, string Method, MagentoShippingTotal Total);

public sealed record MagentoShippingTotal(
    decimal BaseShippingAmount,
    decimal BaseShippingInclTax,
    decimal BaseShippingTaxAmount,
    decimal ShippingAmount,
    decimal ShippingInclTax,
    decimal ShippingTaxAmount);

public sealed record MagentoKeyValue(string Key, string Value);

public sealed record MagentoAppliedTax(string Code, string Title, decimal Percent, decimal Amount)
{
    public decimal BaseAmount => Amount;
}

/// <summary>An invoice or credit memo item, or a shipment item (which has no amounts).</summary>
public sealed record MagentoDocumentItemPayload
{
    public long EntityId { get; init; }
    public long ParentId { get; init; }
    public long OrderItemId { get; init; }
    public long ProductId { get; init; }
    public required string Sku { get; init; }
    public required string Name { get; init; }
    public decimal Qty { get; init; }
    public decimal Price { get; init; }
    public decimal? BasePrice { get; init; }
    public decimal? RowTotal { get; init; }
    public decimal? BaseRowTotal { get; init; }
    public decimal? DiscountAmount { get; init; }
    public decimal? TaxAmount { get; init; }
    public decimal? RowTotalInclTax { get; init; }
    public decimal? Weight { get; init; }

    public static MagentoDocumentItemPayload Priced(SalesDocumentLine line, long documentId) => new()
    {
        EntityId = line.EntityId,
        ParentId = documentId,
        OrderItemId = line.OrderItemId,
        ProductId = line.ProductId,
        Sku = line.Sku,
        Name = line.Name,
        Qty = line.Qty,
        Price = line.Price,
        BasePrice = line.Price,
        RowTotal = line.RowTotal,
        BaseRowTotal = line.RowTotal,
        DiscountAmount = line.DiscountAmount,
        TaxAmount = line.TaxAmount,
        RowTotalInclTax = line.RowTotal + line.TaxAmount,
    };

    public static MagentoDocumentItemPayload Shipped(SalesDocumentLine line, long documentId) => new()
    {
        EntityId = line.EntityId,
        ParentId = documentId,
        OrderItemId = line.OrderItemId,
        ProductId = line.ProductId,
        Sku = line.Sku,
        Name = line.Name,
        Qty = line.Qty,
        Price = line.Price,
        Weight = 1,
    };
}

public sealed record MagentoInvoicePayload
{
    public long EntityId { get; init; }
    public required string IncrementId { get; init; }
    public long OrderId { get; init; }
    public int StoreId { get; init; }

    /// <summary>1 open, 2 paid, 3 canceled.</summary>
    public int State { get; init; } = 2;

    public required string OrderCurrencyCode { get; init; }
    public required string BaseCurrencyCode { get; init; }
    public decimal Subtotal { get; init; }
    public decimal DiscountAmount { get; init; }
    public decimal TaxAmount { get; init; }
    public decimal ShippingAmount { get; init; }
    public decimal ShippingTaxAmount { get; init; }
    public decimal GrandTotal { get; init; }
    public decimal BaseGrandTotal { get; init; }
    public decimal TotalQty { get; init; }
    public required string CreatedAt { get; init; }
    public required string UpdatedAt { get; init; }
    public required IReadOnlyList<MagentoDocumentItemPayload> Items { get; init; }
    public IReadOnlyList<object> Comments { get; init; } = [];

    public static MagentoInvoicePayload From(SalesInvoice invoice) => new()
    {
        EntityId = invoice.EntityId,
        IncrementId = invoice.IncrementId,
        OrderId = invoice.OrderId,
        StoreId = invoice.Store.Id,
        OrderCurrencyCode = invoice.Currency,
        BaseCurrencyCode = invoice.Currency,
        Subtotal = invoice.Subtotal,
        DiscountAmount = invoice.DiscountAmount,
        TaxAmount = invoice.TaxAmount,
        ShippingAmount = invoice.ShippingAmount,
        ShippingTaxAmount = invoice.ShippingTaxAmount,
        GrandTotal = invoice.GrandTotal,
        BaseGrandTotal = invoice.GrandTotal,
        TotalQty = invoice.Lines.Sum(line => line.Qty),
        CreatedAt = MagentoFormat.Date(invoice.CreatedAt),
        UpdatedAt = MagentoFormat.Date(invoice.CreatedAt),
        Items = [.. invoice.Lines.Select(line => MagentoDocumentItemPayload.Priced(line, invoice.EntityId))],
    };
}

public sealed record MagentoShipmentPayload
{
    public long EntityId { get; init; }
    public required string IncrementId { get; init; }
    public long OrderId { get; init; }
    public int StoreId { get; init; }
    public decimal TotalQty { get; init; }
    public required string CreatedAt { get; init; }
    public required string UpdatedAt { get; init; }
    public required IReadOnlyList<MagentoDocumentItemPayload> Items { get; init; }
    public required IReadOnlyList<MagentoTrackPayload> Tracks { get; init; }
    public IReadOnlyList<object> Comments { get; init; } = [];
    public IReadOnlyList<object> Packages { get; init; } = [];

    public static MagentoShipmentPayload From(SalesShipment shipment) => new()
    {
        EntityId = shipment.EntityId,
        IncrementId = shipment.IncrementId,
        OrderId = shipment.OrderId,
        StoreId = shipment.Store.Id,
        TotalQty = shipment.TotalQty,
        CreatedAt = MagentoFormat.Date(shipment.CreatedAt),
        UpdatedAt = MagentoFormat.Date(shipment.CreatedAt),
        Items = [.. shipment.Lines.Select(line => MagentoDocumentItemPayload.Shipped(line, shipment.EntityId))],
        Tracks = [.. shipment.Tracks.Select(track => new MagentoTrackPayload(
            track.EntityId, shipment.EntityId, shipment.OrderId, track.TrackNumber, track.Title, track.CarrierCode,
            MagentoFormat.Date(shipment.CreatedAt), MagentoFormat.Date(shipment.CreatedAt)))],
    };
}

public sealed record MagentoTrackPayload(
    long EntityId,
    long ParentId,
    long OrderId,
    string TrackNumber,
    string Title,
    string CarrierCode,
    string CreatedAt,
    string UpdatedAt);

public sealed record MagentoCreditMemoPayload
{
    public long EntityId { get; init; }
    public required string IncrementId { get; init; }
    public long OrderId { get; init; }
    public int StoreId { get; init; }

    /// <summary>1 open, 2 refunded, 3 canceled.</summary>
    public int State { get; init; } = 2;

    public required string OrderCurrencyCode { get; init; }
    public required string BaseCurrencyCode { get; init; }
    public decimal Subtotal { get; init; }
    public decimal DiscountAmount { get; init; }
    public decimal TaxAmount { get; init; }
    public decimal ShippingAmount { get; init; }
    public decimal ShippingTaxAmount { get; init; }
    public decimal AdjustmentPositive { get; init; }
    public decimal AdjustmentNegative { get; init; }
    public decimal Adjustment { get; init; }
    public decimal GrandTotal { get; init; }
    public decimal BaseGrandTotal { get; init; }
    public required string CreatedAt { get; init; }
    public required string UpdatedAt { get; init; }
    public required IReadOnlyList<MagentoDocumentItemPayload> Items { get; init; }
    public IReadOnlyList<object> Comments { get; init; } = [];

    public static MagentoCreditMemoPayload From(SalesCreditMemo memo) => new()
    {
        EntityId = memo.EntityId,
        IncrementId = memo.IncrementId,
        OrderId = memo.OrderId,
        StoreId = memo.Store.Id,
        OrderCurrencyCode = memo.Currency,
        BaseCurrencyCode = memo.Currency,
        Subtotal = memo.Subtotal,
        DiscountAmount = memo.DiscountAmount,
        TaxAmount = memo.TaxAmount,
        ShippingAmount = memo.ShippingAmount,
        ShippingTaxAmount = memo.ShippingTaxAmount,
        AdjustmentPositive = memo.AdjustmentPositive,
        AdjustmentNegative = memo.AdjustmentNegative,
        Adjustment = memo.AdjustmentPositive - memo.AdjustmentNegative,
        GrandTotal = memo.GrandTotal,
        BaseGrandTotal = memo.GrandTotal,
        CreatedAt = MagentoFormat.Date(memo.CreatedAt),
        UpdatedAt = MagentoFormat.Date(memo.CreatedAt),
        Items = [.. memo.Lines.Select(line => MagentoDocumentItemPayload.Priced(line, memo.EntityId))],
    };
}

public static class MagentoFormat
{
    /// <summary>Magento's UTC timestamp format, e.g. <c>2026-11-22 09:15:00</c>.</summary>
    public static string Date(DateTime utc) => utc.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
}
