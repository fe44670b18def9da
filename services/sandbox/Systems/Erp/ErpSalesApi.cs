using System.Globalization;
using System.Text.Json;

namespace Platform.Sandbox.Systems.Erp;

/// <summary>
/// The ERP's sales endpoints under <c>/erp/api/v1</c> (sales orders, cancellations, credit notes, the reconciliation
/// listing) and the scenario endpoints under <c>/_sandbox/erp</c> (which SKUs the ERP knows).
/// </summary>
public sealed class ErpSalesApi(ErpLedger ledger, ErpSkuPolicy skus)
{
    public const string IdempotencyKeyHeader = "Idempotency-Key";
    public const int MaxPageSize = 1000;

    public void MapRest(RouteGroupBuilder routes)
    {
        routes.MapPost("/api/v1/sales-orders", async (HttpContext context) =>
        {
            var (key, missing) = IdempotencyKey(context);
            if (missing is not null)
            {
                return missing;
            }

            var (request, malformed) = await ReadAsync<SalesOrderRequest>(context);
            if (malformed is not null)
            {
                return malformed;
            }

            var (order, errors) = Validate(request!);
            return order is null
                ? Invalid(errors)
                : Answer(context, ledger.SubmitSalesOrder(key!, ErpLedger.Fingerprint(ErpLedger.SalesOrderOperation, request), order));
        });

        routes.MapGet("/api/v1/sales-orders", (HttpContext context) =>
        {
            var query = context.Request.Query;
            var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
            var from = Instant(query["from"], "from", errors);
            var to = Instant(query["to"], "to", errors);
            var page = Number(query["page"], "page", 1, 1, int.MaxValue, errors);
            var pageSize = Number(query["pageSize"], "pageSize", 100, 1, MaxPageSize, errors);
            if (errors.Count > 0)
            {
                return Invalid(errors);
            }

            var store = query["store"].ToString() is { Length: > 0 } storeCode ? storeCode : null;
            var reference = query["orderReference"].ToString() is { Length: > 0 } orderReference ? orderReference : null;
            return Results.Json(ledger.List(from, to, store, reference, page, pageSize), SystemJson.CamelCase);
        });

        routes.MapGet("/api/v1/sales-orders/{documentNumber}", (string documentNumber) => ledger.Get(documentNumber) is { } document
            ? Results.Json(document, SystemJson.CamelCase)
            : Problem(ErpAnswer.Refused(StatusCodes.Status404NotFound, "DOCUMENT_NOT_FOUND", "Sales order not found",
                $"There is no sales order {documentNumber}.").Problem!));

        routes.MapPost("/api/v1/sales-orders/{documentNumber}/cancellations", async (string documentNumber, HttpContext context) =>
        {
            var (key, missing) = IdempotencyKey(context);
            if (missing is not null)
            {
                return missing;
            }

            var (request, malformed) = await ReadAsync<CancellationRequest>(context, emptyAllowed: true);
            if (malformed is not null)
            {
                return malformed;
            }

            request ??= new CancellationRequest();
            var (cancellation, errors) = Validate(request);
            return cancellation is null
                ? Invalid(errors)
                : Answer(context, ledger.Cancel(key!, ErpLedger.Fingerprint(ErpLedger.CancellationOperation(documentNumber), request), documentNumber, cancellation));
        });

        routes.MapPost("/api/v1/credit-notes", async (HttpContext context) =>
        {
            var (key, missing) = IdempotencyKey(context);
            if (missing is not null)
            {
                return missing;
            }

            var (request, malformed) = await ReadAsync<CreditNoteRequest>(context);
            if (malformed is not null)
            {
                return malformed;
            }

            var (note, errors) = Validate(request!);
            return note is null
                ? Invalid(errors)
                : Answer(context, ledger.Credit(key!, ErpLedger.Fingerprint(ErpLedger.CreditNoteOperation, request), note));
        });
    }

    public void MapControl(RouteGroupBuilder control)
    {
        control.MapGet("/skus", () => Results.Ok(skus.Settings));

        control.MapPut("/skus", async (HttpContext context) =>
        {
            ErpSkuSettings? settings;
            try
            {
                settings = await context.Request.ReadFromJsonAsync<ErpSkuSettings>(context.RequestAborted);
            }
            catch (JsonException exception)
            {
                return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The SKU settings are not valid JSON for this API", detail: exception.Message);
            }

            var problem = settings is null ? "a body is required" : ErpSkuPolicy.Problem(settings);
            if (problem is not null)
            {
                return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The SKU settings are invalid", detail: problem);
            }

            skus.Apply(settings!);
            return Results.Ok(skus.Settings);
        });
    }

    private static (ValidSalesOrder? Order, Dictionary<string, string[]> Errors) Validate(SalesOrderRequest request)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        Required(request.OrderReference, "orderReference", errors, maxLength: 100);
        Required(request.Store, "store", errors, maxLength: 50);
        Required(request.OrderNumber, "orderNumber", errors, maxLength: 50);
        if (request.Revision is not >= 1)
        {
            errors["revision"] = ["is required and must be at least 1"];
        }

        Currency(request.Currency, errors);
        if (request.Guest == true && !string.IsNullOrEmpty(request.CustomerCode))
        {
            errors["customerCode"] = ["a guest order has no customerCode"];
        }
        else if (request.Guest != true && string.IsNullOrWhiteSpace(request.CustomerCode))
        {
            errors["customerCode"] = ["is required unless guest is true"];
        }

        if (request.ShipTo?.Country is not { Length: 2 } country || !country.All(char.IsAsciiLetterUpper))
        {
            errors["shipTo.country"] = ["is required: an ISO 3166-1 alpha-2 code such as DE"];
        }

        var lines = Lines(request.Lines, errors);
        var totals = request.Totals;
        if (totals is null)
        {
            errors["totals"] = ["is required"];
        }
        else
        {
            NonNegative(totals.Subtotal, "totals.subtotal", errors);
            NonNegative(totals.Discount, "totals.discount", errors);
            NonNegative(totals.Shipping, "totals.shipping", errors);
            NonNegative(totals.Tax, "totals.tax", errors);
            NonNegative(totals.GrandTotal, "totals.grandTotal", errors);
        }

        if (errors.Count > 0)
        {
            return (null, errors);
        }

        return (new ValidSalesOrder(
            request.OrderReference!, request.Store!, request.OrderNumber!, request.Revision!.Value, request.OrderDate,
            request.Currency!, request.Guest == true ? null : request.CustomerCode, request.Guest == true,
            new ShipToPayload(request.ShipTo!.Country!, string.IsNullOrEmpty(request.ShipTo.Region) ? null : request.ShipTo.Region),
            lines,
            new ErpTotals(totals!.Subtotal!.Value, totals.Discount!.Value, totals.Shipping!.Value, totals.Tax!.Value, totals.GrandTotal!.Value))
        {
            DeclaredLineTotals = [.. request.Lines!.Select(line => line.LineTotal)],
        }, errors);
    }

    private static (ValidCreditNote? Note, Dictionary<string, string[]> Errors) Validate(CreditNoteRequest request)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        Required(request.DocumentNumber, "documentNumber", errors, maxLength: 50);
        Currency(request.Currency, errors);
        var lines = new List<CreditLine>();
        for (var i = 0; i < (request.Lines?.Count ?? 0); i++)
        {
            var line = request.Lines![i];
            var field = $"lines[{i.ToString(CultureInfo.InvariantCulture)}]";
            Required(line.Sku, field + ".sku", errors, maxLength: 64);
            Positive(line.Quantity, field + ".quantity", errors);
            NonNegative(line.Amount, field + ".amount", errors);
            lines.Add(new CreditLine(line.LineNumber ?? i + 1, line.Sku ?? "", line.Quantity ?? 0, line.Amount ?? 0));
        }

        if (request.Shipping is < 0)
        {
            errors["shipping"] = ["must not be negative"];
        }

        if (request.Amount is not > 0)
        {
            errors["amount"] = ["is required and must be positive"];
        }

        return errors.Count > 0
            ? (null, errors)
            : (new ValidCreditNote(request.DocumentNumber!, request.CreditMemoId, request.Currency!, lines,
                request.Shipping ?? 0, request.Adjustment ?? 0, request.Amount!.Value), errors);
    }

    private static (ValidCancellation? Cancellation, Dictionary<string, string[]> Errors) Validate(CancellationRequest request)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (request.Lines is { Count: 0 })
        {
            errors["lines"] = ["leave lines out to cancel everything, or name at least one"];
        }

        var lines = new List<QuantityLine>();
        for (var i = 0; i < (request.Lines?.Count ?? 0); i++)
        {
            var line = request.Lines![i];
            var field = $"lines[{i.ToString(CultureInfo.InvariantCulture)}]";
            Required(line.Sku, field + ".sku", errors, maxLength: 64);
            Positive(line.Quantity, field + ".quantity", errors);
            lines.Add(new QuantityLine(line.Sku ?? "", line.Quantity ?? 0));
        }

        return errors.Count > 0 ? (null, errors) : (new ValidCancellation(request.Reason, request.Lines is null ? null : lines), errors);
    }

    private static List<ErpLine> Lines(List<SalesLineRequest>? requested, Dictionary<string, string[]> errors)
    {
        var lines = new List<ErpLine>();
        if (requested is null or { Count: 0 })
        {
            errors["lines"] = ["at least one line is required"];
            return lines;
        }

        for (var i = 0; i < requested.Count; i++)
        {
            var line = requested[i];
            var field = $"lines[{i.ToString(CultureInfo.InvariantCulture)}]";
            Required(line.Sku, field + ".sku", errors, maxLength: 64);
            Positive(line.Quantity, field + ".quantity", errors);
            NonNegative(line.UnitPrice, field + ".unitPrice", errors);
            if (line.Discount is < 0)
            {
                errors[field + ".discount"] = ["must not be negative"];
            }

            if (line.Tax is < 0)
            {
                errors[field + ".tax"] = ["must not be negative"];
            }

            if (line.LineNumber is < 1)
            {
                errors[field + ".lineNumber"] = ["must be at least 1"];
            }

            lines.Add(new ErpLine(line.LineNumber ?? i + 1, line.Sku ?? "", line.Description, line.Quantity ?? 0, line.UnitPrice ?? 0, line.Discount ?? 0, line.Tax ?? 0));
        }

        if (lines.GroupBy(line => line.LineNumber).FirstOrDefault(group => group.Count() > 1) is { } repeated)
        {
            errors["lines.lineNumber"] = [$"line number {repeated.Key} is used twice"];
        }

        return lines;
    }

    private static void Positive(decimal? value, string field, Dictionary<string, string[]> errors)
    {
        if (value is not > 0)
        {
            errors[field] = ["is required and must be positive"];
        }
    }

    private static void Required(string? value, string field, Dictionary<string, string[]> errors, int maxLength)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            errors[field] = ["is required"];
        }
        else if (value.Length > maxLength)
        {
            errors[field] = [$"must be at most {maxLength} characters"];
        }
    }

    private static void Currency(string? currency, Dictionary<string, string[]> errors)
    {
        if (currency is not { Length: 3 } || !currency.All(char.IsAsciiLetterUpper))
        {
            errors["currency"] = ["is required: an ISO 4217 code such as EUR"];
        }
    }

    private static void NonNegative(decimal? value, string field, Dictionary<string, string[]> errors)
    {
        if (value is null)
        {
            errors[field] = ["is required"];
        }
        else if (value < 0)
        {
            errors[field] = ["must not be negative"];
        }
    }

    private static DateTimeOffset? Instant(string? text, string field, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var instant))
        {
            return instant;
        }

        errors[field] = ["must be an ISO 8601 date or date-time"];
        return null;
    }

    private static int Number(string? text, string field, int fallback, int min, int max, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrEmpty(text))
        {
            return fallback;
        }

        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
        {
            return value;
        }

        errors[field] = [$"must be a whole number from {min} to {max}"];
        return fallback;
    }

    private static (string? Key, IResult? Missing) IdempotencyKey(HttpContext context)
    {
        var key = context.Request.Headers[IdempotencyKeyHeader].ToString();
        if (key.Length == 0)
        {
            return (null, Problem(new ErpProblem(StatusCodes.Status400BadRequest, "IDEMPOTENCY_KEY_MISSING", "Idempotency-Key header is required",
                "Every write to the ERP needs an Idempotency-Key header, the same on each retry of one request.", [])));
        }

        return key.Length > 255 || key.Any(c => c is < '!' or > '~')
            ? (null, Problem(new ErpProblem(StatusCodes.Status400BadRequest, "IDEMPOTENCY_KEY_INVALID", "Idempotency-Key is invalid",
                "An Idempotency-Key is 1 to 255 visible ASCII characters.", [])))
            : (key, null);
    }

    private static async Task<(T? Body, IResult? Malformed)> ReadAsync<T>(HttpContext context, bool emptyAllowed = false)
        where T : class
    {
        using var reader = new StreamReader(context.Request.Body);
        var text = await reader.ReadToEndAsync(context.RequestAborted);
        if (string.IsNullOrWhiteSpace(text))
        {
            return emptyAllowed
                ? (null, null)
                : (null, Problem(new ErpProblem(StatusCodes.Status400BadRequest, "MALFORMED_REQUEST", "A JSON body is required", "The request has no body.", [])));
        }

        try
        {
            return JsonSerializer.Deserialize<T>(text, SystemJson.CamelCase) is { } body
                ? (body, null)
                : (null, Problem(new ErpProblem(StatusCodes.Status400BadRequest, "MALFORMED_REQUEST", "A JSON object is required", "The body is null.", [])));
        }
        catch (JsonException exception)
        {
            return (null, Problem(new ErpProblem(StatusCodes.Status400BadRequest, "MALFORMED_REQUEST", "The body is not valid for this endpoint", exception.Message, [])));
        }
    }

    private static IResult Answer(HttpContext context, ErpAnswer answer)
    {
        if (answer.Problem is { } problem)
        {
            return Problem(problem);
        }

        if (answer.Location is not null)
        {
            context.Response.Headers.Location = answer.Location;
        }

        if (answer.Replayed)
        {
            context.Response.Headers["Idempotent-Replayed"] = "true";
        }

        return Results.Json(answer.Body, SystemJson.CamelCase, statusCode: answer.Status);
    }

    internal static IResult Invalid(Dictionary<string, string[]> errors) => Results.ValidationProblem(
        errors, title: "The request is invalid", type: "urn:erp:problem:validation-failed",
        extensions: new Dictionary<string, object?> { ["code"] = "VALIDATION_FAILED" });

    private static IResult Problem(ErpProblem problem)
    {
        var extensions = new Dictionary<string, object?>(problem.Extensions) { ["code"] = problem.Code };
        return Results.Problem(
            detail: problem.Detail,
            statusCode: problem.Status,
            title: problem.Title,
            type: "urn:erp:problem:" + problem.Code.ToLowerInvariant().Replace('_', '-'),
            extensions: extensions);
    }
}
