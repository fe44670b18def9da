using System.Globalization;
using System.Text.Json;

namespace Platform.Sandbox.Systems.Stock;

/// <summary>
/// <c>/_sandbox/stock</c>: makes a source system send stock updates (<c>POST /{source}/updates</c>), shows how a send went
/// (<c>GET /{source}/deliveries/{id}</c>) and reads or clears a source's change log (<c>/{source}/changes</c>).
/// </summary>
public static class StockControl
{
    public const int DefaultLimit = 500;
    public const int MaxLimit = 1000;

    public static void MapStockControl(this RouteGroupBuilder stock)
    {
        stock.MapPost("/{source}/updates", async (string source, HttpContext context, StockFeed feed) =>
        {
            if (!StockOptions.IsValidSource(source))
            {
                return InvalidSource(source);
            }

            StockSendSpec? spec;
            try
            {
                spec = await context.Request.ReadFromJsonAsync<StockSendSpec>(SystemJson.CamelCase, context.RequestAborted);
            }
            catch (JsonException exception)
            {
                return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The body is not valid JSON for this endpoint", detail: exception.Message);
            }

            if (spec is null)
            {
                return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "A body is required");
            }

            var (updates, errors) = spec.Validate();
            if (errors.Count > 0)
            {
                return Results.ValidationProblem(errors, title: "The stock updates cannot be sent");
            }

            if (feed.Unavailable(source, spec.Channel!) is { } unavailable)
            {
                return Results.Problem(statusCode: StatusCodes.Status409Conflict, title: $"The {spec.Channel} channel is not configured", detail: unavailable);
            }

            var run = await feed.SendAsync(source, spec.Channel!, updates, spec, context.RequestAborted);
            var state = run.State();
            if (state.Done)
            {
                return Results.Json(state, SystemJson.CamelCaseWithoutNulls);
            }

            context.Response.Headers.Location = $"/_sandbox/stock/{source}/deliveries/{run.Id}";
            return Results.Json(state, SystemJson.CamelCaseWithoutNulls, statusCode: StatusCodes.Status202Accepted);
        });

        stock.MapGet("/{source}/deliveries/{id}", (string source, string id, StockFeed feed) => feed.Find(source, id) is { } run
            ? Results.Json(run.State(), SystemJson.CamelCaseWithoutNulls)
            : Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such send", detail: $"Source '{source}' has no send '{id}'."));

        stock.MapGet("/{source}/changes", (string source, HttpContext context, StockChangeLog log) =>
        {
            var (page, errors) = ReadChanges(log, source, context.Request.Query);
            return page is null ? Results.ValidationProblem(errors) : Results.Json(page, SystemJson.CamelCaseWithoutNulls);
        });

        stock.MapDelete("/{source}/changes", (string source, StockChangeLog log) =>
        {
            log.Clear(source);
            return Results.NoContent();
        });
    }

    /// <summary>One page of a source's change log for the query's <c>after</c> and <c>limit</c>, or what is wrong with them.</summary>
    public static (StockChangesPage? Page, Dictionary<string, string[]> Errors) ReadChanges(StockChangeLog log, string source, IQueryCollection query)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var cursor = query["after"].ToString();
        if (!StockChangeLog.TryParseCursor(cursor, out var after))
        {
            errors["after"] = ["must be a changeId or nextCursor from an earlier answer, or empty for the beginning"];
        }

        var limit = DefaultLimit;
        var limitText = query["limit"].ToString();
        if (limitText.Length > 0
            && !(int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) && limit is >= 1 and <= MaxLimit))
        {
            errors["limit"] = [$"must be a whole number from 1 to {MaxLimit}"];
        }

        if (errors.Count > 0)
        {
            return (null, errors);
        }

        var (changes, hasMore) = log.Read(source, after, limit);
        var next = changes.Count > 0 ? StockChangeLog.FormatId(changes[^1].Id) : cursor;
        return (new StockChangesPage([.. changes.Select(StockChangePayload.From)], next, hasMore), errors);
    }

    private static IResult InvalidSource(string source) => Results.ValidationProblem(
        new Dictionary<string, string[]> { ["source"] = [$"'{source}' is not a source name: letters, digits, - and _, up to 64"] },
        title: "Unknown source name");
}
