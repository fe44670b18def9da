using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Platform.Connectors.Erp.Mapping;

namespace Platform.Connectors.Erp;

internal sealed class ErpClient(HttpClient http, ErpMapping mapping) : ConnectorClient(http), IErpClient
{
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    private const int MaximumErrorLength = 500;

    public async Task<ErpSalesOrderResult> CreateSalesOrderAsync(ErpSalesOrder order, CancellationToken cancellationToken = default)
    {
        const string operation = "sales-orders.create";
        ArgumentNullException.ThrowIfNull(order);
        RequireText(order.OrderReference, nameof(order.OrderReference));
        RequireText(order.OrderNumber, nameof(order.OrderNumber));
        RequireText(order.Currency, nameof(order.Currency));
        ArgumentOutOfRangeException.ThrowIfNegative(order.Revision, nameof(order.Revision));
        var body = mapping.BuildSalesOrder(order, operation);
        var result = await PostAsync(operation, "api/v1/sales-orders", order.IdempotencyKey, body, cancellationToken).ConfigureAwait(false);
        return new ErpSalesOrderResult(result.DocumentNumber, result.Replayed);
    }

    public Task<ErpDocumentResult> CancelSalesOrderAsync(ErpCancellation cancellation, CancellationToken cancellationToken = default)
    {
        const string operation = "sales-orders.cancel";
        ArgumentNullException.ThrowIfNull(cancellation);
        RequireText(cancellation.DocumentNumber, nameof(cancellation.DocumentNumber));
        RequireText(cancellation.IdempotencyKey, nameof(cancellation.IdempotencyKey));
        var body = mapping.BuildCancellation(cancellation, operation);
        return PostAsync(
            operation,
            $"api/v1/sales-orders/{Uri.EscapeDataString(cancellation.DocumentNumber)}/cancellations",
            cancellation.IdempotencyKey,
            body,
            cancellationToken);
    }

    public Task<ErpDocumentResult> CreateCreditNoteAsync(ErpCreditNote creditNote, CancellationToken cancellationToken = default)
    {
        const string operation = "credit-notes.create";
        ArgumentNullException.ThrowIfNull(creditNote);
        RequireText(creditNote.DocumentNumber, nameof(creditNote.DocumentNumber));
        RequireText(creditNote.CreditMemoId, nameof(creditNote.CreditMemoId));
        RequireText(creditNote.IdempotencyKey, nameof(creditNote.IdempotencyKey));
        var body = mapping.BuildCreditNote(creditNote, operation);
        return PostAsync(operation, "api/v1/credit-notes", creditNote.IdempotencyKey, body, cancellationToken);
    }

    public async Task<ErpSalesOrderListPage> ListSalesOrdersAsync(
        DateTimeOffset from, DateTimeOffset to, string? storeCode, int page, int pageSize, CancellationToken cancellationToken = default)
    {
        const string operation = "sales-orders.list";
        if (to <= from)
        {
            throw new ArgumentException($"the window end ({to:O}) must be after its start ({from:O})", nameof(to));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(page, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        var query = new StringBuilder()
            .Append("from=").Append(Uri.EscapeDataString(FormatInstant(from)))
            .Append("&to=").Append(Uri.EscapeDataString(FormatInstant(to)));
        if (!string.IsNullOrEmpty(storeCode))
        {
            query.Append("&store=").Append(Uri.EscapeDataString(storeCode));
        }

        query.Append("&page=").Append(page.ToString(CultureInfo.InvariantCulture))
            .Append("&pageSize=").Append(pageSize.ToString(CultureInfo.InvariantCulture));

        using var request = new HttpRequestMessage(HttpMethod.Get, $"api/v1/sales-orders?{query}");
        using var response = await SendAsync(operation, request, cancellationToken).ConfigureAwait(false);
        EnsureSuccess(operation, response);
        var list = await ReadAsync<SalesOrderListResponse>(operation, response, cancellationToken).ConfigureAwait(false);
        if (list.Items is null || list.TotalCount is not { } totalCount)
        {
            throw new InvalidDataException($"erp {operation}: the response lacks {(list.Items is null ? "items" : "totalCount")}");
        }

        var items = list.Items.Select((item, index) => item.ToSummary(operation, index)).ToList();
        return new ErpSalesOrderListPage(items, totalCount, page, pageSize);
    }

    public async IAsyncEnumerable<ErpSalesOrderListPage> EnumerateSalesOrdersAsync(
        DateTimeOffset from, DateTimeOffset to, string? storeCode, int pageSize = 100, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        for (var page = 1; ; page++)
        {
            var result = await ListSalesOrdersAsync(from, to, storeCode, page, pageSize, cancellationToken).ConfigureAwait(false);
            if (result.Items.Count == 0)
            {
                yield break;
            }

            yield return result;
            if ((long)page * pageSize >= result.TotalCount)
            {
                yield break;
            }
        }
    }

    // ISO 8601 in UTC with an explicit Z, so the ERP never has to guess a zone.
    internal static string FormatInstant(DateTimeOffset instant) =>
        instant.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private async Task<ErpDocumentResult> PostAsync(
        string operation, string path, string idempotencyKey, JsonObject body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            // Serialised once to bytes: every retry sends the identical body under the same key.
            Content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body, JsonOptions))
            {
                Headers = { ContentType = new("application/json") { CharSet = "utf-8" } },
            },
        };
        request.Headers.TryAddWithoutValidation(IdempotencyKeyHeader, idempotencyKey);
        using var response = await SendAsync(operation, request, cancellationToken).ConfigureAwait(false);

        if (response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.NotFound or HttpStatusCode.Conflict
            or HttpStatusCode.UnprocessableEntity)
        {
            var (error, sku) = await ReadErrorAsync(response, cancellationToken).ConfigureAwait(false);
            throw new ErpRejectedException(operation, response.StatusCode, error, sku, idempotencyKey);
        }

        EnsureSuccess(operation, response);
        var created = await ReadAsync<DocumentResponse>(operation, response, cancellationToken).ConfigureAwait(false);
        if (string.IsNullOrEmpty(created.DocumentNumber))
        {
            throw new InvalidDataException($"erp {operation}: the ERP answered {(int)response.StatusCode} without a documentNumber [idempotency key {idempotencyKey}]");
        }

        // 201 is the first time; 200 is the ERP recognising the key. Any other 2xx is read as created.
        return new ErpDocumentResult(created.DocumentNumber, response.StatusCode == HttpStatusCode.OK);
    }

    // The contract's {error, sku} body, or RFC 9457 problem details (title, detail, and sku as an extension).
    internal static async Task<(string Error, string? Sku)> ReadErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var fallback = $"{(int)response.StatusCode} {response.ReasonPhrase}".TrimEnd();
        try
        {
            var node = JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
            if (node is not JsonObject error)
            {
                return (fallback, null);
            }

            var message = Text(error, "error") ?? Text(error, "detail") ?? Text(error, "title") ?? fallback;
            return (message.Length > MaximumErrorLength ? message[..MaximumErrorLength] : message, Text(error, "sku"));
        }
        catch (JsonException)
        {
            return (fallback, null);
        }

        static string? Text(JsonObject error, string name) =>
            error[name] is JsonValue value && value.TryGetValue<string>(out var text) && text.Length > 0 ? text : null;
    }

    private async Task<T> ReadAsync<T>(string operation, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            return await response.Content.ReadFromJsonAsync<T>(JsonOptions, cancellationToken).ConfigureAwait(false)
                   ?? throw new InvalidDataException($"erp {operation}: the ERP answered {(int)response.StatusCode} with an empty body");
        }
        catch (JsonException exception)
        {
            throw new InvalidDataException($"erp {operation}: the ERP answered {(int)response.StatusCode} with a body that is not the expected JSON ({exception.Message})", exception);
        }
    }

    private static void RequireText(string? value, string name)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new ArgumentException($"{name} is required", name);
        }
    }

    private sealed record DocumentResponse(string? DocumentNumber);

    private sealed record SalesOrderListResponse(List<SalesOrderListItem>? Items, int? TotalCount);

    private sealed record SalesOrderListItem(
        string? OrderReference, string? DocumentNumber, int? Revision, string? Currency, decimal? GrandTotal, string? Status)
    {
        public ErpSalesOrderSummary ToSummary(string operation, int index)
        {
            InvalidDataException Missing(string field) => new($"erp {operation}: items[{index}].{field} is missing");
            return new ErpSalesOrderSummary(
                OrderReference ?? throw Missing("orderReference"),
                DocumentNumber ?? throw Missing("documentNumber"),
                Revision ?? throw Missing("revision"),
                Currency ?? throw Missing("currency"),
                GrandTotal ?? throw Missing("grandTotal"),
                Status ?? throw Missing("status"));
        }
    }
}
