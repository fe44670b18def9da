using System.Globalization;
using System.Text.Json;

namespace Platform.Sandbox.Systems.Magento;

/// <summary>
/// The sales endpoints of the simulated Magento: the REST reads the platform polls (below <c>/magento</c>, behind the
/// integration token and fault injection) and the scenario endpoints tests use to make things happen to orders (below
/// <c>/_sandbox/magento</c>).
/// </summary>
public sealed class MagentoSalesApi(MagentoOptions options, MagentoSales sales, MagentoWebhooks webhooks, MagentoOrderGenerator generator)
{
    public const int MaxGenerated = 100_000;

    private static readonly SearchFields<SalesOrder> OrderFields = new SearchFields<SalesOrder>("sales_order", (a, b) => a.EntityId.CompareTo(b.EntityId))
        .Number("entity_id", order => order.EntityId)
        .Text("increment_id", order => order.IncrementId)
        .Number("store_id", order => order.Store.Id)
        .Date("created_at", order => order.CreatedAt)
        .Date("updated_at", order => order.UpdatedAt)
        .Text("state", order => order.State)
        .Text("status", order => order.Status)
        .Number("customer_id", order => order.Customer.Id)
        .Text("customer_email", order => order.Customer.Email)
        .Text("customer_firstname", order => order.Customer.Firstname)
        .Text("customer_lastname", order => order.Customer.Lastname)
        .Number("customer_is_guest", order => order.Customer.IsGuest ? 1 : 0)
        .Text("order_currency_code", order => order.Currency)
        .Number("grand_total", order => order.GrandTotal)
        .Number("base_grand_total", order => order.GrandTotal)
        .Number("total_refunded", order => order.CreditMemoIds.Count > 0 ? order.TotalRefunded : null);

    private static readonly SearchFields<SalesInvoice> InvoiceFields = new SearchFields<SalesInvoice>("sales_invoice", (a, b) => a.EntityId.CompareTo(b.EntityId))
        .Number("entity_id", invoice => invoice.EntityId)
        .Text("increment_id", invoice => invoice.IncrementId)
        .Number("order_id", invoice => invoice.OrderId)
        .Number("store_id", invoice => invoice.Store.Id)
        .Date("created_at", invoice => invoice.CreatedAt)
        .Date("updated_at", invoice => invoice.CreatedAt)
        .Number("state", _ => 2)
        .Number("grand_total", invoice => invoice.GrandTotal);

    private static readonly SearchFields<SalesShipment> ShipmentFields = new SearchFields<SalesShipment>("sales_shipment", (a, b) => a.EntityId.CompareTo(b.EntityId))
        .Number("entity_id", shipment => shipment.EntityId)
        .Text("increment_id", shipment => shipment.IncrementId)
        .Number("order_id", shipment => shipment.OrderId)
        .Number("store_id", shipment => shipment.Store.Id)
        .Date("created_at", shipment => shipment.CreatedAt)
        .Date("updated_at", shipment => shipment.CreatedAt);

    private static readonly SearchFields<SalesCreditMemo> CreditMemoFields = new SearchFields<SalesCreditMemo>("sales_creditmemo", (a, b) => a.EntityId.CompareTo(b.EntityId))
        .Number("entity_id", memo => memo.EntityId)
        .Text("increment_id", memo => memo.IncrementId)
        .Number("order_id", memo => memo.OrderId)
        .Number("store_id", memo => memo.Store.Id)
        .Date("created_at", memo => memo.CreatedAt)
        .Date("updated_at", memo => memo.CreatedAt)
        .Number("state", _ => 2)
        .Number("grand_total", memo => memo.GrandTotal);

    public void MapRest(RouteGroupBuilder routes)
    {
        // Like Magento's repositories, the lists and reads are not limited to the store view in the path: /rest/default/V1/orders
        // returns the orders of every store. The store code only has to exist; filter on store_id to narrow.
        routes.MapGet("/rest/{store}/V1/orders", (string store, HttpContext context) =>
                Search(store, context, sales.Orders, OrderFields, MagentoOrderPayload.From))
            .WithMetadata(new MagentoAclResource("Magento_Sales::actions_view"));
        routes.MapGet("/rest/{store}/V1/orders/{id}", (string store, string id) => Read(store, id, sales.GetOrder, MagentoOrderPayload.From))
            .WithMetadata(new MagentoAclResource("Magento_Sales::actions_view"));
        routes.MapGet("/rest/{store}/V1/invoices", (string store, HttpContext context) =>
                Search(store, context, sales.Invoices, InvoiceFields, MagentoInvoicePayload.From))
            .WithMetadata(new MagentoAclResource("Magento_Sales::sales_invoice"));
        routes.MapGet("/rest/{store}/V1/invoices/{id}", (string store, string id) => Read(store, id, sales.GetInvoice, MagentoInvoicePayload.From))
            .WithMetadata(new MagentoAclResource("Magento_Sales::sales_invoice"));
        routes.MapGet("/rest/{store}/V1/shipments", (string store, HttpContext context) =>
                Search(store, context, sales.Shipments, ShipmentFields, MagentoShipmentPayload.From))
            .WithMetadata(new MagentoAclResource("Magento_Sales::shipment"));
        routes.MapGet("/rest/{store}/V1/shipment/{id}", (string store, string id) => Read(store, id, sales.GetShipment, MagentoShipmentPayload.From))
            .WithMetadata(new MagentoAclResource("Magento_Sales::shipment"));
        routes.MapGet("/rest/{store}/V1/creditmemos", (string store, HttpContext context) =>
                Search(store, context, sales.CreditMemos, CreditMemoFields, MagentoCreditMemoPayload.From))
            .WithMetadata(new MagentoAclResource("Magento_Sales::sales_creditmemo"));
        routes.MapGet("/rest/{store}/V1/creditmemo/{id}", (string store, string id) => Read(store, id, sales.GetCreditMemo, MagentoCreditMemoPayload.From))
            .WithMetadata(new MagentoAclResource("Magento_Sales::sales_creditmemo"));
    }

    public void MapControl(RouteGroupBuilder control)
    {
        control.MapPost("/stores/{store}/orders", async (string store, HttpContext context) =>
        {
            if (OrderStore(store) is not { } salesStore)
            {
                return UnknownStore(store);
            }

            var (spec, invalid) = await ReadOptionalAsync<OrderSpec>(context, SystemJson.SnakeCase);
            if (invalid is not null)
            {
                return invalid;
            }

            var (draft, errors) = generator.Draft(spec);
            if (draft is null)
            {
                return Results.ValidationProblem(errors, title: "The order cannot be created");
            }

            var order = sales.Create(salesStore, draft);
            context.Response.Headers.Location = $"/magento/rest/{store}/V1/orders/{order.EntityId.ToString(CultureInfo.InvariantCulture)}";
            return Results.Json(MagentoOrderPayload.From(order), SystemJson.SnakeCaseWithoutNulls, statusCode: StatusCodes.Status201Created);
        });

        control.MapPost("/stores/{store}/orders/generate", async (string store, HttpContext context) =>
        {
            if (OrderStore(store) is not { } salesStore)
            {
                return UnknownStore(store);
            }

            var (spec, invalid) = await ReadOptionalAsync<GenerateSpec>(context, SystemJson.SnakeCase);
            if (invalid is not null)
            {
                return invalid;
            }

            spec ??= new GenerateSpec();
            if (spec.Count is < 1 or > MaxGenerated)
            {
                return Results.ValidationProblem(
                    new Dictionary<string, string[]> { ["count"] = [$"must be between 1 and {MaxGenerated}"] }, title: "The orders cannot be generated");
            }

            var created = new List<object>(spec.Count);
            for (var i = 0; i < spec.Count; i++)
            {
                var (draft, _) = generator.Draft(new OrderSpec { Invoice = generator.DrawInvoice(spec.Invoice) });
                var order = sales.Create(salesStore, draft!);
                created.Add(new { order.EntityId, order.IncrementId });
            }

            return Results.Json(new { Orders = created }, SystemJson.SnakeCaseWithoutNulls, statusCode: StatusCodes.Status201Created);
        });

        control.MapPost("/orders/{id:long}/invoice", (long id, HttpContext context) =>
            Changed(context, sales.Invoice(id), invoice => $"invoices/{invoice.EntityId.ToString(CultureInfo.InvariantCulture)}"));

        control.MapPost("/orders/{id:long}/ship", async (long id, HttpContext context) =>
        {
            var (spec, invalid) = await ReadOptionalAsync<ShipSpec>(context, SystemJson.SnakeCase);
            if (invalid is not null)
            {
                return invalid;
            }

            if (spec?.Tracks?.FirstOrDefault(track => string.IsNullOrWhiteSpace(track.TrackNumber)) is not null)
            {
                return Results.ValidationProblem(new Dictionary<string, string[]> { ["tracks"] = ["every track needs a track_number"] });
            }

            var tracks = (spec?.Tracks ?? []).Select(track => new SalesTrack(0, track.TrackNumber!, track.Title ?? "Flat Rate", track.CarrierCode ?? "custom")).ToList();
            return Changed(context, sales.Ship(id, Lines(spec?.Items), tracks), shipment => $"shipment/{shipment.EntityId.ToString(CultureInfo.InvariantCulture)}");
        });

        control.MapPost("/orders/{id:long}/cancel", (long id, HttpContext context) => Changed(context, sales.Cancel(id), location: null));

        control.MapPost("/orders/{id:long}/refund", async (long id, HttpContext context) =>
        {
            var (spec, invalid) = await ReadOptionalAsync<RefundSpec>(context, SystemJson.SnakeCase);
            if (invalid is not null)
            {
                return invalid;
            }

            if (spec is { AdjustmentPositive: < 0 } or { AdjustmentNegative: < 0 })
            {
                return Results.ValidationProblem(new Dictionary<string, string[]> { ["adjustment"] = ["adjustment_positive and adjustment_negative must not be negative"] });
            }

            var request = new RefundRequest(Lines(spec?.Items), spec?.ShippingAmount, spec?.AdjustmentPositive ?? 0, spec?.AdjustmentNegative ?? 0);
            return Changed(context, sales.Refund(id, request), memo => $"creditmemo/{memo.EntityId.ToString(CultureInfo.InvariantCulture)}");
        });

        control.MapGet("/webhooks", () => Results.Ok(WebhookState()));

        control.MapPut("/webhooks", async (HttpContext context) =>
        {
            MagentoWebhookSettings? settings;
            try
            {
                settings = await context.Request.ReadFromJsonAsync<MagentoWebhookSettings>(context.RequestAborted);
            }
            catch (JsonException exception)
            {
                return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The webhook settings are not valid JSON for this API", detail: exception.Message);
            }

            if (settings is null)
            {
                return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Webhook settings are required");
            }

            if (settings.Validate() is { Count: > 0 } errors)
            {
                return Results.ValidationProblem(errors, title: "The webhook settings are invalid");
            }

            return webhooks.Apply(settings) is { } problem
                ? Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Webhooks cannot be sent", detail: problem)
                : Results.Ok(WebhookState());
        });
    }

    private object WebhookState() => new { Settings = webhooks.Settings, MaxConcurrency = webhooks.Concurrency, Pending = webhooks.Pending };

    private IResult Search<TRow, TPayload>(string store, HttpContext context, IReadOnlyList<TRow> rows, SearchFields<TRow> fields, Func<TRow, TPayload> payload)
    {
        if (!RestStore(store))
        {
            return NoRoute();
        }

        var (criteria, invalid) = SearchCriteria.Parse(context.Request.Query);
        if (invalid is not null)
        {
            return invalid.ToResult();
        }

        var (page, total, failure) = fields.Run(rows, criteria!);
        return failure is not null
            ? failure.ToResult()
            : Results.Json(new MagentoSearchResult<TPayload>(page!.ConvertAll(row => payload(row)), criteria!, total), SystemJson.SnakeCaseWithoutNulls);
    }

    private IResult Read<TRow, TPayload>(string store, string id, Func<long, TRow?> get, Func<TRow, TPayload> payload)
        where TRow : class
    {
        if (!RestStore(store))
        {
            return NoRoute();
        }

        if (!long.TryParse(id, NumberStyles.Integer, CultureInfo.InvariantCulture, out var entityId))
        {
            return MagentoFailure.BadRequest("The \"%value\" value's type is invalid. The \"%type\" type was expected. Verify and try again.",
                ("value", id), ("type", "int")).ToResult();
        }

        return get(entityId) is { } row
            ? Results.Json(payload(row), SystemJson.SnakeCaseWithoutNulls)
            : MagentoFailure.NoSuchEntity.ToResult();
    }

    private static IResult Changed<TDocument>(HttpContext context, SalesChange<TDocument> change, Func<TDocument, string>? location)
        where TDocument : class
    {
        if (change.Refusal is { } refusal)
        {
            return Results.Problem(statusCode: refusal.Status, title: refusal.Message);
        }

        if (location is not null)
        {
            context.Response.Headers.Location = $"/magento/rest/{change.Order!.Store.Code}/V1/{location(change.Document!)}";
        }

        return Results.Json(MagentoOrderPayload.From(change.Order!), SystemJson.SnakeCaseWithoutNulls);
    }

    private static List<SalesLineRequest>? Lines(List<LineSpec>? lines) =>
        lines?.Select(line => new SalesLineRequest(line.OrderItemId, line.Sku, line.Qty)).ToList();

    private static async Task<(T? Body, IResult? Invalid)> ReadOptionalAsync<T>(HttpContext context, JsonSerializerOptions json)
        where T : class
    {
        using var reader = new StreamReader(context.Request.Body);
        var text = await reader.ReadToEndAsync(context.RequestAborted);
        if (string.IsNullOrWhiteSpace(text))
        {
            return (null, null);
        }

        try
        {
            return (JsonSerializer.Deserialize<T>(text, json), null);
        }
        catch (JsonException exception)
        {
            return (null, Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The body is not valid JSON for this endpoint", detail: exception.Message));
        }
    }

    // Magento takes an unknown store code for part of the path, which then matches no route.
    private bool RestStore(string code) => code == "all" || OrderStore(code) is not null;

    private SalesStore? OrderStore(string code) => options.OrderStores().FirstOrDefault(view => view.Code == code) is { } view
        ? new SalesStore(view.Id, view.Code, view.Name)
        : null;

    private static IResult NoRoute() => MagentoFailure.NotFound("Request does not match any route.").ToResult();

    private IResult UnknownStore(string store) => Results.Problem(
        statusCode: StatusCodes.Status404NotFound,
        title: "No such store view",
        detail: $"'{store}' is not a store view that takes orders; known: {string.Join(", ", options.OrderStores().Select(view => view.Code))}");
}
