using System.Globalization;

namespace Platform.Sandbox.Systems.Magento;

/// <summary>What a new order is made of, every value resolved (see <see cref="MagentoOrderGenerator"/>).</summary>
public sealed record OrderDraft(
    DateTime? CreatedAt,
    string Currency,
    SalesCustomer Customer,
    SalesAddress BillingAddress,
    SalesAddress ShippingAddress,
    decimal ShippingAmount,
    decimal ShippingTaxPercent,
    IReadOnlyList<LineDraft> Lines,
    bool Invoice,
    string PaymentMethod);

/// <param name="ChildName">For a configurable product: the name of the chosen variant (the simple child item).</param>
public sealed record LineDraft(
    string Sku,
    string Name,
    string ProductType,
    string? ChildName,
    long ProductId,
    decimal Qty,
    decimal Price,
    decimal DiscountAmount,
    decimal TaxPercent);

/// <summary>A line of a shipment or credit memo request: the order item by id, or else the first item with the SKU.</summary>
public sealed record SalesLineRequest(long? OrderItemId, string? Sku, decimal Qty);

public sealed record RefundRequest(
    IReadOnlyList<SalesLineRequest>? Lines,
    decimal? ShippingAmount,
    decimal AdjustmentPositive,
    decimal AdjustmentNegative);

/// <summary>Why Magento refused a change, with the HTTP status the control API answers.</summary>
public sealed record SalesRefusal(int Status, string Message);

public sealed record SalesChange<TDocument>(SalesOrder? Order, TDocument? Document, SalesRefusal? Refusal)
    where TDocument : class
{
    public static SalesChange<TDocument> Refused(int status, string message) => new(null, null, new SalesRefusal(status, message));
}

/// <summary>
/// The simulated store's orders and their invoices, shipments and credit memos, in memory, following Magento's rules for
/// what may happen to an order and which state and status it ends in (Order::canInvoice/canShip/canCreditmemo/canCancel
/// and the state check Magento runs when an order is saved). Each change sets updated_at and announces the order.
/// Writers take one lock; readers never do (each entity is replaced whole, and tables only grow).
/// </summary>
public sealed class MagentoSales(TimeProvider time, MagentoWebhooks webhooks)
{
    public const string OrderCreated = "order.created";
    public const string OrderUpdated = "order.updated";

    private readonly Lock _gate = new();
    private readonly EntityTable<SalesOrder> _orders = new();
    private readonly EntityTable<SalesInvoice> _invoices = new();
    private readonly EntityTable<SalesShipment> _shipments = new();
    private readonly EntityTable<SalesCreditMemo> _creditMemos = new();
    private readonly Dictionary<(int StoreId, string Kind), long> _incrementIds = [];
    private long _lastItemId;
    private long _lastInvoiceLineId;
    private long _lastShipmentLineId;
    private long _lastCreditMemoLineId;
    private long _lastTrackId;

    /// <summary>In entity_id order.</summary>
    public IReadOnlyList<SalesOrder> Orders => _orders.Snapshot();

    public IReadOnlyList<SalesInvoice> Invoices => _invoices.Snapshot();

    public IReadOnlyList<SalesShipment> Shipments => _shipments.Snapshot();

    public IReadOnlyList<SalesCreditMemo> CreditMemos => _creditMemos.Snapshot();

    public SalesOrder? GetOrder(long entityId) => _orders.Get(entityId);

    public SalesInvoice? GetInvoice(long entityId) => _invoices.Get(entityId);

    public SalesShipment? GetShipment(long entityId) => _shipments.Get(entityId);

    public SalesCreditMemo? GetCreditMemo(long entityId) => _creditMemos.Get(entityId);

    public SalesOrder Create(SalesStore store, OrderDraft draft)
    {
        lock (_gate)
        {
            var now = Now();
            var createdAt = draft.CreatedAt ?? now;
            var items = new List<SalesOrderItem>();
            foreach (var line in draft.Lines)
            {
                var taxAmount = Money.Round((Money.Round(line.Price * line.Qty) - line.DiscountAmount) * line.TaxPercent / 100m);
                var parent = new SalesOrderItem(++_lastItemId, null, line.ProductId, line.Sku, line.Name, line.ProductType,
                    line.Price, line.Qty, line.DiscountAmount, line.TaxPercent, taxAmount);
                items.Add(parent);
                if (line.ProductType == "configurable")
                {
                    // Magento orders a configurable product as two items with the variant's SKU: the parent carries the price,
                    // the simple child has price 0 and points at it. Summing all items double-counts quantities.
                    items.Add(new SalesOrderItem(++_lastItemId, parent.ItemId, line.ProductId + 1, line.Sku, line.ChildName ?? line.Name,
                        "simple", 0, line.Qty, 0, 0, 0));
                }
            }

            var order = new SalesOrder(
                _orders.NextId,
                NextIncrementId(store, "order"),
                store,
                createdAt,
                draft.Currency,
                draft.Customer,
                draft.BillingAddress,
                draft.ShippingAddress,
                "flatrate_flatrate",
                "Flat Rate - Fixed",
                draft.ShippingAmount,
                Money.Round(draft.ShippingAmount * draft.ShippingTaxPercent / 100m),
                draft.PaymentMethod,
                items)
            {
                UpdatedAt = createdAt,
            };
            _orders.Add(order);
            if (draft.Invoice)
            {
                (order, _) = InvoiceLocked(order, createdAt);
            }

            webhooks.Publish(OrderCreated, order);
            return order;
        }
    }

    public SalesChange<SalesInvoice> Invoice(long orderId)
    {
        lock (_gate)
        {
            if (_orders.Get(orderId) is not { } order)
            {
                return NoSuchOrder<SalesInvoice>();
            }

            if (!order.CanInvoice)
            {
                return SalesChange<SalesInvoice>.Refused(StatusCodes.Status409Conflict, "The order does not allow an invoice to be created.");
            }

            var (changed, invoice) = InvoiceLocked(order, Now());
            webhooks.Publish(OrderUpdated, changed);
            return new SalesChange<SalesInvoice>(changed, invoice, null);
        }
    }

    public SalesChange<SalesShipment> Ship(long orderId, IReadOnlyList<SalesLineRequest>? lines, IReadOnlyList<SalesTrack> tracks)
    {
        lock (_gate)
        {
            if (_orders.Get(orderId) is not { } order)
            {
                return NoSuchOrder<SalesShipment>();
            }

            if (!order.CanShip)
            {
                return SalesChange<SalesShipment>.Refused(StatusCodes.Status409Conflict, "The order does not allow a shipment to be created.");
            }

            var (quantities, refusal) = Resolve(order, lines, item => item.QtyToShip, "ship");
            if (refusal is not null)
            {
                return new SalesChange<SalesShipment>(null, null, refusal);
            }

            var now = Now();
            var shipment = new SalesShipment(
                _shipments.NextId,
                NextIncrementId(order.Store, "shipment"),
                order.EntityId,
                order.Store,
                now,
                [.. quantities.Select(pair => Line(++_lastShipmentLineId, pair.Key, pair.Value, pair.Value == pair.Key.QtyOrdered))],
                [.. tracks.Select(track => track with { EntityId = ++_lastTrackId })]);
            _shipments.Add(shipment);

            var changed = Settle(
                WithItems(order, item => quantities.TryGetValue(item, out var qty) ? item with { QtyShipped = item.QtyShipped + qty } : item) with
                {
                    ShipmentIds = [.. order.ShipmentIds, shipment.EntityId],
                    UpdatedAt = now,
                },
                inProcess: true);
            _orders.Replace(order.EntityId, changed);
            webhooks.Publish(OrderUpdated, changed);
            return new SalesChange<SalesShipment>(changed, shipment, null);
        }
    }

    public SalesChange<SalesOrder> Cancel(long orderId)
    {
        lock (_gate)
        {
            if (_orders.Get(orderId) is not { } order)
            {
                return NoSuchOrder<SalesOrder>();
            }

            if (!order.CanCancel)
            {
                return SalesChange<SalesOrder>.Refused(StatusCodes.Status409Conflict,
                    $"The order can't be canceled in state \"{order.State}\" (nothing left to invoice, or already complete, closed or canceled).");
            }

            var canceled = WithItems(order, item => item with { QtyCanceled = item.QtyCanceled + item.QtyToCancel });
            // Order::registerCancellation: what was invoiced and can still be refunded keeps the order open.
            var state = SalesStates.Canceled;
            foreach (var item in canceled.PricedItems.Where(item => item.QtyToRefund > 0))
            {
                state = state == SalesStates.Processing || item.QtyToShip > 0 ? SalesStates.Processing : SalesStates.Complete;
            }

            var changed = canceled with
            {
                State = state,
                Status = SalesStates.DefaultStatus(state),
                TotalCanceled = order.GrandTotal - order.TotalPaid,
                UpdatedAt = Now(),
            };
            _orders.Replace(order.EntityId, changed);
            webhooks.Publish(OrderUpdated, changed);
            return new SalesChange<SalesOrder>(changed, changed, null);
        }
    }

    /// <summary>A credit memo for the given lines, or with none for everything still refundable including the shipping.</summary>
    public SalesChange<SalesCreditMemo> Refund(long orderId, RefundRequest request)
    {
        lock (_gate)
        {
            if (_orders.Get(orderId) is not { } order)
            {
                return NoSuchOrder<SalesCreditMemo>();
            }

            if (!order.CanCreditmemo)
            {
                return SalesChange<SalesCreditMemo>.Refused(StatusCodes.Status409Conflict, "The order does not allow a creditmemo to be created.");
            }

            var (quantities, refusal) = request.Lines is null
                ? (order.PricedItems.Where(item => item.QtyToRefund > 0).ToDictionary(item => item, item => item.QtyToRefund), null)
                : Resolve(order, request.Lines, item => item.QtyToRefund, "refund");
            if (refusal is not null)
            {
                return new SalesChange<SalesCreditMemo>(null, null, refusal);
            }

            var shippingLeft = order.ShippingAmount - order.ShippingRefunded;
            var shipping = request.ShippingAmount ?? (request.Lines is null ? shippingLeft : 0);
            if (shipping < 0 || shipping > shippingLeft)
            {
                return SalesChange<SalesCreditMemo>.Refused(StatusCodes.Status400BadRequest,
                    "Maximum shipping amount allowed to refund is: " + shippingLeft.ToString(CultureInfo.InvariantCulture));
            }

            var shippingTax = shipping == shippingLeft
                ? order.ShippingTaxAmount - order.ShippingTaxRefunded
                : order.ShippingAmount == 0 ? 0 : Money.Round(order.ShippingTaxAmount * shipping / order.ShippingAmount);
            var now = Now();
            var memo = new SalesCreditMemo(
                _creditMemos.NextId,
                "",
                order.EntityId,
                order.Store,
                order.Currency,
                now,
                [.. quantities.Select(pair => RefundLine(pair.Key, pair.Value))],
                shipping,
                shippingTax,
                request.AdjustmentPositive,
                request.AdjustmentNegative);
            if (memo.GrandTotal <= 0)
            {
                return SalesChange<SalesCreditMemo>.Refused(StatusCodes.Status400BadRequest, "The credit memo's total must be positive.");
            }

            var refundable = order.TotalPaid - order.TotalRefunded;
            if (memo.GrandTotal > refundable)
            {
                return SalesChange<SalesCreditMemo>.Refused(StatusCodes.Status400BadRequest,
                    "The most money available to refund is " + refundable.ToString(CultureInfo.InvariantCulture) + ".");
            }

            // Only a credit memo that is kept takes a number from the store's sequence.
            memo = memo with { IncrementId = NextIncrementId(order.Store, "creditmemo") };
            _creditMemos.Add(memo);
            var byItem = memo.Lines.ToDictionary(line => line.OrderItemId);
            var changed = Settle(
                WithItems(order, item => byItem.TryGetValue(item.ItemId, out var line)
                    ? item with
                    {
                        QtyRefunded = item.QtyRefunded + line.Qty,
                        AmountRefunded = item.AmountRefunded + line.RowTotal,
                        DiscountRefunded = item.DiscountRefunded + line.DiscountAmount,
                        TaxRefunded = item.TaxRefunded + line.TaxAmount,
                    }
                    : item) with
                {
                    TotalRefunded = order.TotalRefunded + memo.GrandTotal,
                    SubtotalRefunded = order.SubtotalRefunded + memo.Subtotal,
                    DiscountRefunded = order.DiscountRefunded - memo.DiscountAmount,
                    TaxRefunded = order.TaxRefunded + memo.TaxAmount,
                    ShippingRefunded = order.ShippingRefunded + shipping,
                    ShippingTaxRefunded = order.ShippingTaxRefunded + shippingTax,
                    AdjustmentPositive = order.AdjustmentPositive + memo.AdjustmentPositive,
                    AdjustmentNegative = order.AdjustmentNegative + memo.AdjustmentNegative,
                    CreditMemoIds = [.. order.CreditMemoIds, memo.EntityId],
                    UpdatedAt = now,
                },
                inProcess: false);
            _orders.Replace(order.EntityId, changed);
            webhooks.Publish(OrderUpdated, changed);
            return new SalesChange<SalesCreditMemo>(changed, memo, null);
        }
    }

    private (SalesOrder Order, SalesInvoice Invoice) InvoiceLocked(SalesOrder order, DateTime at)
    {
        var first = order.InvoiceIds.Count == 0;
        var invoice = new SalesInvoice(
            _invoices.NextId,
            NextIncrementId(order.Store, "invoice"),
            order.EntityId,
            order.Store,
            order.Currency,
            at,
            [.. order.PricedItems.Where(item => item.QtyToInvoice > 0)
                .Select(item => Line(++_lastInvoiceLineId, item, item.QtyToInvoice, item.QtyToInvoice == item.QtyOrdered))],
            first ? order.ShippingAmount : 0,
            first ? order.ShippingTaxAmount : 0);
        _invoices.Add(invoice);

        var changed = Settle(
            WithItems(order, item => item with { QtyInvoiced = item.QtyInvoiced + item.QtyToInvoice }) with
            {
                TotalInvoiced = order.TotalInvoiced + invoice.GrandTotal,
                TotalPaid = order.TotalPaid + invoice.GrandTotal,
                InvoiceIds = [.. order.InvoiceIds, invoice.EntityId],
                UpdatedAt = at,
            },
            inProcess: true);
        _orders.Replace(order.EntityId, changed);
        return (changed, invoice);
    }

    /// <summary>
    /// Magento's state check on save: an order in work leaves "new"; an order with nothing left to invoice becomes
    /// "closed" when nothing is left to refund or ship, else "complete" when nothing is left to ship.
    /// </summary>
    private static SalesOrder Settle(SalesOrder order, bool inProcess)
    {
        var state = order.State == SalesStates.New && inProcess ? SalesStates.Processing : order.State;
        var settled = order with { State = state, Status = SalesStates.DefaultStatus(state) };
        if (state == SalesStates.Canceled || settled.CanInvoice)
        {
            return settled;
        }

        if (state is SalesStates.Processing or SalesStates.Complete && !settled.CanCreditmemo && !settled.CanShip && !settled.IsVirtual)
        {
            return settled with { State = SalesStates.Closed, Status = SalesStates.DefaultStatus(SalesStates.Closed) };
        }

        return state == SalesStates.Processing && !settled.CanShip
            ? settled with { State = SalesStates.Complete, Status = SalesStates.DefaultStatus(SalesStates.Complete) }
            : settled;
    }

    /// <summary>Applies a change to the priced items; a configurable product's child follows its parent's quantities.</summary>
    private static SalesOrder WithItems(SalesOrder order, Func<SalesOrderItem, SalesOrderItem> change)
    {
        var parents = new Dictionary<long, SalesOrderItem>();
        var items = new List<SalesOrderItem>(order.Items.Count);
        foreach (var item in order.Items)
        {
            if (item.ParentItemId is { } parentId && parents.TryGetValue(parentId, out var parent))
            {
                items.Add(item with
                {
                    QtyInvoiced = parent.QtyInvoiced,
                    QtyShipped = parent.QtyShipped,
                    QtyRefunded = parent.QtyRefunded,
                    QtyCanceled = parent.QtyCanceled,
                });
            }
            else
            {
                var changed = change(item);
                parents[item.ItemId] = changed;
                items.Add(changed);
            }
        }

        return order with { Items = items };
    }

    private static (Dictionary<SalesOrderItem, decimal> Quantities, SalesRefusal? Refusal) Resolve(
        SalesOrder order, IReadOnlyList<SalesLineRequest>? lines, Func<SalesOrderItem, decimal> available, string action)
    {
        var quantities = new Dictionary<SalesOrderItem, decimal>();
        if (lines is null || lines.Count == 0)
        {
            foreach (var item in order.PricedItems.Where(item => available(item) > 0))
            {
                quantities[item] = available(item);
            }

            return (quantities, null);
        }

        foreach (var line in lines)
        {
            var item = line.OrderItemId is { } id
                ? order.Items.FirstOrDefault(candidate => candidate.ItemId == id)
                : order.PricedItems.Where(candidate => string.Equals(candidate.Sku, line.Sku, StringComparison.Ordinal))
                    .OrderByDescending(candidate => available(candidate) > quantities.GetValueOrDefault(candidate))
                    .FirstOrDefault();
            if (item is null)
            {
                return (quantities, new SalesRefusal(StatusCodes.Status400BadRequest,
                    $"Order {order.IncrementId} has no item {(line.OrderItemId?.ToString(CultureInfo.InvariantCulture) ?? "with SKU " + line.Sku)}."));
            }

            if (item.IsChild)
            {
                return (quantities, new SalesRefusal(StatusCodes.Status400BadRequest,
                    $"Item {item.ItemId} is the child of configurable item {item.ParentItemId}; {action} the parent item."));
            }

            var wanted = quantities.GetValueOrDefault(item) + line.Qty;
            if (line.Qty <= 0 || wanted > available(item))
            {
                return (quantities, new SalesRefusal(StatusCodes.Status400BadRequest,
                    $"Cannot {action} {wanted.ToString(CultureInfo.InvariantCulture)} of item {item.ItemId} ({item.Sku}): " +
                    $"{available(item).ToString(CultureInfo.InvariantCulture)} left to {action}."));
            }

            quantities[item] = wanted;
        }

        return (quantities, null);
    }

    private static SalesDocumentLine Line(long entityId, SalesOrderItem item, decimal qty, bool whole) => new(
        entityId, item.ItemId, item.ProductId, item.Sku, item.Name, item.Price, qty,
        Money.Round(item.Price * qty),
        whole ? item.DiscountAmount : Money.Round(item.DiscountAmount * qty / item.QtyOrdered),
        whole ? item.TaxAmount : Money.Round(item.TaxAmount * qty / item.QtyOrdered));

    private SalesDocumentLine RefundLine(SalesOrderItem item, decimal qty)
    {
        // The last units refunded take what is left, so rounding never leaves a cent behind or refunds one twice.
        var last = item.QtyRefunded + qty == item.QtyInvoiced && item.QtyInvoiced == item.QtyOrdered;
        return new SalesDocumentLine(
            ++_lastCreditMemoLineId, item.ItemId, item.ProductId, item.Sku, item.Name, item.Price, qty,
            Money.Round(item.Price * qty),
            last ? item.DiscountAmount - item.DiscountRefunded : Money.Round(item.DiscountAmount * qty / item.QtyOrdered),
            last ? item.TaxAmount - item.TaxRefunded : Money.Round(item.TaxAmount * qty / item.QtyOrdered));
    }

    /// <summary>Magento's per-store sequences: store 1 counts 000000001, 000000002...; store 2 counts 2000000001...</summary>
    private string NextIncrementId(SalesStore store, string kind)
    {
        var next = _incrementIds.GetValueOrDefault((store.Id, kind)) + 1;
        _incrementIds[(store.Id, kind)] = next;
        var number = next.ToString("D9", CultureInfo.InvariantCulture);
        return store.Id == 1 ? number : store.Id.ToString(CultureInfo.InvariantCulture) + number;
    }

    // Magento's timestamps have whole seconds: two changes within one second share an updated_at.
    private DateTime Now()
    {
        var now = time.GetUtcNow().UtcDateTime;
        return new DateTime(now.Ticks - (now.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc);
    }

    private static SalesChange<T> NoSuchOrder<T>()
        where T : class => SalesChange<T>.Refused(StatusCodes.Status404NotFound, "The entity that was requested doesn't exist. Verify the entity and try again.");
}

/// <summary>
/// An append-only table whose rows are replaced whole. Writers hold the owner's lock; readers take no lock: the count is
/// published after the row and read before the array, so a reader never indexes past what the array it sees holds.
/// </summary>
internal sealed class EntityTable<T>
    where T : class
{
    private T[] _rows = new T[1024];
    private int _count;

    public long NextId => _count + 1;

    public void Add(T row)
    {
        if (_count == _rows.Length)
        {
            var grown = new T[_rows.Length * 2];
            Array.Copy(_rows, grown, _count);
            Volatile.Write(ref _rows, grown);
        }

        Volatile.Write(ref _rows[_count], row);
        Volatile.Write(ref _count, _count + 1);
    }

    public void Replace(long id, T row) => Volatile.Write(ref _rows[id - 1], row);

    public T? Get(long id)
    {
        var count = Volatile.Read(ref _count);
        var rows = Volatile.Read(ref _rows);
        return id >= 1 && id <= count ? Volatile.Read(ref rows[id - 1]) : null;
    }

    public IReadOnlyList<T> Snapshot()
    {
        var count = Volatile.Read(ref _count);
        return new ArraySegment<T>(Volatile.Read(ref _rows), 0, count);
    }
}
