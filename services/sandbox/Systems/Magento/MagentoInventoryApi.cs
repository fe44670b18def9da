using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc;

namespace Platform.Sandbox.Systems.Magento;

/// <summary>
/// The MSI source item endpoints of the simulated Magento: the synchronous save, the async bulk save and its status, and the
/// search (below <c>/magento</c>, behind the integration token and fault injection), plus the scenario endpoints under
/// <c>/_sandbox/magento</c> that read and reset what was saved and add sources. Request bodies are read the way Magento's
/// web API reads them (snake_case or camelCase keys, numbers in strings, an unknown field refused) so that its errors
/// come out with Magento's words.
/// Counters: <c>magento.source_items.calls</c> (synchronous saves answered 200), <c>magento.source_items.bulk_calls</c>
/// (bulk requests answered 202), and those of <see cref="MagentoSourceItems"/>.
/// </summary>
public sealed class MagentoInventoryApi(MagentoOptions options, MagentoSourceItems items, MagentoBulks bulks, SandboxCounters counters)
{
    public const string SaveResource = "Magento_InventoryApi::stock_source_item_assign";
    public const string ReadResource = "Magento_InventoryApi::source";
    public const string BulkResource = "Magento_Logging::system_magento_logging_bulk_operations";

    private const string SourceItemClass = "Magento\\InventoryApi\\Api\\Data\\SourceItemInterface";

    public void MapRest(RouteGroupBuilder routes)
    {
        routes.MapPost("/rest/{store}/V1/inventory/source-items", async (string store, HttpContext context) =>
        {
            if (!KnownStore(store))
            {
                return NoRoute();
            }

            var (body, malformed) = await ReadJsonAsync(context);
            if (malformed is not null)
            {
                return malformed;
            }

            var (operation, refused) = ReadOperation(body);
            if (refused is not null)
            {
                return refused;
            }

            var outcome = items.Save(operation!);
            if (!outcome.Saved)
            {
                return outcome.Errors is { Count: > 0 } errors
                    ? Json(new MagentoValidationError(outcome.Message!, errors), StatusCodes.Status400BadRequest)
                    : Json(new MagentoError(outcome.Message!), StatusCodes.Status400BadRequest);
            }

            counters.Increment("magento.source_items.calls");
            // SourceItemsSaveInterface::execute returns void, which Magento's ServiceOutputProcessor turns into [].
            return Json(Array.Empty<object>(), StatusCodes.Status200OK);
        }).WithMetadata(new MagentoAclResource(SaveResource));

        routes.MapPost("/rest/{store}/async/bulk/V1/inventory/source-items", async (string store, HttpContext context) =>
        {
            if (!KnownStore(store))
            {
                return NoRoute();
            }

            var (body, malformed) = await ReadJsonAsync(context);
            if (malformed is not null)
            {
                return malformed;
            }

            // An object instead of an array is walked like an array by Magento, so it too ends in "sourceItems is required".
            if (body.ValueKind != JsonValueKind.Array)
            {
                return Required("sourceItems");
            }

            // Every element is converted before anything is queued: one bad element refuses the whole request.
            var operations = new List<IReadOnlyList<SourceItemInput>>();
            var hashes = new List<string>();
            foreach (var element in body.EnumerateArray())
            {
                var (operation, refused) = ReadOperation(element);
                if (refused is not null)
                {
                    return refused;
                }

                operations.Add(operation!);
                hashes.Add(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(element.GetRawText()))));
            }

            var bulk = bulks.Schedule(operations);
            counters.Increment("magento.source_items.bulk_calls");
            return Json(new MagentoBulkAccepted(
                bulk.Uuid,
                [.. hashes.Select((hash, index) => new MagentoBulkRequestItem(index, hash, "accepted"))],
                Errors: false), StatusCodes.Status202Accepted);
        }).WithMetadata(new MagentoAclResource(SaveResource));

        routes.MapGet("/rest/V1/bulk/{bulkUuid}/status", (string bulkUuid) => BulkStatus(bulkUuid))
            .WithMetadata(new MagentoAclResource(BulkResource));
        routes.MapGet("/rest/{store}/V1/bulk/{bulkUuid}/status", (string store, string bulkUuid) => KnownStore(store) ? BulkStatus(bulkUuid) : NoRoute())
            .WithMetadata(new MagentoAclResource(BulkResource));

        routes.MapGet("/rest/{store}/V1/inventory/source-items", (string store, HttpContext context) =>
        {
            if (!KnownStore(store))
            {
                return NoRoute();
            }

            var (criteria, invalid) = SearchCriteria.Parse(context.Request.Query);
            if (invalid is not null)
            {
                return invalid.ToResult();
            }

            var (page, total, failure) = MagentoSourceItems.SearchFields.Run(items.All(), criteria!);
            return failure is not null
                ? failure.ToResult()
                : Json(new MagentoSearchResult<MagentoSourceItemPayload>(page!.ConvertAll(MagentoSourceItemPayload.From), criteria!, total), StatusCodes.Status200OK);
        }).WithMetadata(new MagentoAclResource(ReadResource));
    }

    public void MapControl(RouteGroupBuilder control)
    {
        control.MapGet("/source-items", (string? sku, [FromQuery(Name = "source_code")] string? sourceCode) => Results.Json(
            items.All()
                .Where(row => sku is null || string.Equals(row.Sku, sku, StringComparison.OrdinalIgnoreCase))
                .Where(row => sourceCode is null || string.Equals(row.SourceCode, sourceCode, StringComparison.OrdinalIgnoreCase))
                .Select(SourceItemState.From),
            SystemJson.SnakeCaseWithoutNulls));

        control.MapDelete("/source-items", () =>
        {
            items.Reset();
            return Results.NoContent();
        });

        control.MapGet("/sources", () => Results.Json(new { Sources = items.Sources }, SystemJson.SnakeCase));

        control.MapPost("/sources", async (HttpContext context) =>
        {
            SourceSpec? spec;
            try
            {
                spec = await context.Request.ReadFromJsonAsync<SourceSpec>(SystemJson.SnakeCase, context.RequestAborted);
            }
            catch (JsonException exception)
            {
                return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The body is not valid JSON for this endpoint", detail: exception.Message);
            }

            if (!MagentoSourceItems.IsValidSourceCode(spec?.SourceCode))
            {
                return Results.ValidationProblem(
                    new Dictionary<string, string[]> { ["source_code"] = ["is required, without whitespace"] }, title: "The source cannot be added");
            }

            var added = items.AddSource(spec!.SourceCode!);
            return Results.Json(new { Sources = items.Sources }, SystemJson.SnakeCase, statusCode: added ? StatusCodes.Status201Created : StatusCodes.Status200OK);
        });
    }

    private IResult BulkStatus(string bulkUuid)
    {
        if (bulks.Find(bulkUuid) is not { } bulk)
        {
            return Json(new MagentoError("Bulk uuid %bulkUuid not exist", new Dictionary<string, string> { ["bulkUuid"] = bulkUuid }), StatusCodes.Status404NotFound);
        }

        var results = bulk.Results();
        // user_type 1 is an integration: the sandbox is called with an integration's token (an admin token would give 2).
        return Json(new MagentoBulkStatus(
            [.. results.Select((result, index) => new MagentoBulkOperationStatus(index, result.Status, result.Message, result.ErrorCode))],
            UserType: 1,
            BulkId: bulk.Uuid,
            Description: "Topic " + MagentoBulk.Topic,
            StartTime: MagentoFormat.Date(bulk.StartTime),
            UserId: 1,
            OperationCount: results.Count), StatusCodes.Status200OK);
    }

    /// <summary>
    /// One request body, <c>{"sourceItems": [...]}</c>, converted as Magento's ServiceInputProcessor converts it: the input
    /// limit first, then each entry's fields by type. What only validation can refuse (an empty SKU, an unknown status) is
    /// left for <see cref="MagentoSourceItems.Save"/>.
    /// </summary>
    private (List<SourceItemInput>? Items, IResult? Refused) ReadOperation(JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object || Property(body, "sourceitems") is not { } array || array.ValueKind == JsonValueKind.Null)
        {
            return (null, Required("sourceItems"));
        }

        if (array.ValueKind != JsonValueKind.Array)
        {
            return (null, TypeError("sourceItems", Describe(array), "\\" + SourceItemClass + "[]"));
        }

        var count = array.GetArrayLength();
        if (options.InputLimit > 0 && count > options.InputLimit)
        {
            items.CountRejected(array.EnumerateArray().Select(element => element.ValueKind == JsonValueKind.Object
                ? new SourceItemInput(Text(Property(element, "sku")), Text(Property(element, "sourcecode")), null, null)
                : new SourceItemInput(null, null, null, null)));
            return (null, Json(new MagentoTypedError(
                "Maximum items of type \"%type\" is %max",
                new Dictionary<string, object> { ["type"] = "\\" + SourceItemClass, ["max"] = options.InputLimit }), StatusCodes.Status400BadRequest));
        }

        var inputs = new List<SourceItemInput>(count);
        foreach (var element in array.EnumerateArray())
        {
            var (input, refused) = ReadSourceItem(element);
            if (refused is not null)
            {
                return (null, refused);
            }

            inputs.Add(input!);
        }

        return (inputs, null);
    }

    private static (SourceItemInput? Input, IResult? Refused) ReadSourceItem(JsonElement element)
    {
        // Magento makes an empty data object of anything that is not one, which validation then refuses field by field.
        if (element.ValueKind != JsonValueKind.Object)
        {
            return (new SourceItemInput(null, null, null, null), null);
        }

        string? sku = null, sourceCode = null;
        decimal? quantity = null;
        int? status = null;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            var key = Normalize(property.Name);
            // Magento keeps the first of two spellings of one field (sku and SKU, source_code and sourceCode).
            if (!seen.Add(key))
            {
                continue;
            }

            var value = property.Value;
            switch (key)
            {
                case "sku":
                case "sourcecode":
                    if (value.ValueKind is JsonValueKind.Object or JsonValueKind.Array)
                    {
                        return (null, TypeError(property.Name, "array", "string"));
                    }

                    if (key == "sku")
                    {
                        sku = Text(value);
                    }
                    else
                    {
                        sourceCode = Text(value);
                    }

                    break;
                case "quantity":
                    if (value.ValueKind == JsonValueKind.Null)
                    {
                        break;
                    }

                    if (NumberText(value) is not { } quantityText
                        || !decimal.TryParse(quantityText, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsedQuantity))
                    {
                        return (null, TypeError(property.Name, Describe(value), "float"));
                    }

                    quantity = parsedQuantity;
                    break;
                case "status":
                    if (value.ValueKind == JsonValueKind.Null)
                    {
                        break;
                    }

                    if (NumberText(value) is not { } statusText
                        || !int.TryParse(statusText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsedStatus))
                    {
                        return (null, TypeError(property.Name, Describe(value), "int"));
                    }

                    status = parsedStatus;
                    break;
                case "extensionattributes":
                    break;
                default:
                    var camel = string.Concat(property.Name.Split('_').Select(part => part.Length == 0 ? part : char.ToUpperInvariant(part[0]) + part[1..]));
                    return (null, Json(new MagentoError(
                        $"Property \"{camel}\" does not have accessor method \"get{camel}\" in class \"{SourceItemClass}\"."), StatusCodes.Status400BadRequest));
            }
        }

        return (new SourceItemInput(sku, sourceCode, quantity, status), null);
    }

    private static async Task<(JsonElement Body, IResult? Malformed)> ReadJsonAsync(HttpContext context)
    {
        try
        {
            using var document = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
            return (document.RootElement.Clone(), null);
        }
        catch (JsonException)
        {
            // What Magento answers in production mode for a body its JSON decoder refuses.
            return (default, Json(new MagentoError("Decoding error."), StatusCodes.Status400BadRequest));
        }
    }

    private static JsonElement? Property(JsonElement element, string normalizedName)
    {
        foreach (var property in element.EnumerateObject())
        {
            if (Normalize(property.Name) == normalizedName)
            {
                return property.Value;
            }
        }

        return null;
    }

    /// <summary>Magento matches body keys without regard to case or underscores (<c>source_code</c>, <c>sourceCode</c>).</summary>
    private static string Normalize(string key) => key.Replace("_", "", StringComparison.Ordinal).ToLowerInvariant();

    /// <summary>A JSON string or number as PHP would take it for a string field; null for null.</summary>
    private static string? Text(JsonElement? value) => value?.ValueKind switch
    {
        JsonValueKind.String => value.Value.GetString(),
        JsonValueKind.Number => value.Value.GetRawText(),
        JsonValueKind.True => "1",
        JsonValueKind.False => "",
        _ => null,
    };

    /// <summary>The text of a JSON number, or of a string PHP would accept as numeric (<c>"12"</c>, <c>" 1.5"</c>).</summary>
    private static string? NumberText(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Number => value.GetRawText(),
        JsonValueKind.String when value.GetString()!.Trim() is { Length: > 0 } text => text,
        _ => null,
    };

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object or JsonValueKind.Array => "array",
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.True => "1",
        JsonValueKind.False => "",
        _ => value.GetRawText(),
    };

    private static IResult TypeError(string field, string value, string type) => Json(new MagentoError(
        $"Error occurred during \"{field}\" processing. The \"{value}\" value's type is invalid. The \"{type}\" type was expected. Verify and try again."),
        StatusCodes.Status400BadRequest);

    private static IResult Required(string field) =>
        MagentoFailure.BadRequest("\"%fieldName\" is required. Enter and try again.", ("fieldName", field)).ToResult();

    private static IResult NoRoute() => MagentoFailure.NotFound("Request does not match any route.").ToResult();

    private static IResult Json<T>(T body, int status) => Results.Json(body, SystemJson.SnakeCaseWithoutNulls, statusCode: status);

    // Source items are global; the store code in the path only has to exist ("all" too). An unknown one is taken for
    // part of the path, which then matches no route.
    private bool KnownStore(string store) =>
        store == "all" || options.StoreViews.Any(view => string.Equals(view.Code, store, StringComparison.Ordinal));
}
