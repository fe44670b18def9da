using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Platform.Local.Scenarios;

/// <summary>The sandbox's control API as scenarios use it: create and change storefront orders, set faults, read counters.</summary>
public sealed class SandboxControl(HttpClient http, string apiKey, string magentoToken, string store)
{
    public async Task<IReadOnlyList<(long EntityId, string IncrementId)>> GenerateOrdersAsync(int count, CancellationToken cancellationToken)
    {
        var reply = await SendAsync(HttpMethod.Post, $"_sandbox/magento/stores/{store}/orders/generate", new JsonObject { ["count"] = count, ["invoice"] = false }, cancellationToken);
        return reply!["orders"]!.AsArray().Select(o => (o!["entity_id"]!.GetValue<long>(), o["increment_id"]!.GetValue<string>())).ToList();
    }

    /// <summary>Places one order as specified (Magento field names); returns its entity id.</summary>
    public async Task<long> CreateOrderAsync(JsonObject spec, CancellationToken cancellationToken)
    {
        var reply = await SendAsync(HttpMethod.Post, $"_sandbox/magento/stores/{store}/orders", spec, cancellationToken);
        return reply!["entity_id"]!.GetValue<long>();
    }

    /// <summary>Hands stock updates to the sandbox's ERP/WMS feed; returns the delivery id to follow.</summary>
    public async Task<string?> SendStockAsync(string source, JsonObject request, CancellationToken cancellationToken)
    {
        var reply = await SendAsync(HttpMethod.Post, $"_sandbox/stock/{source}/updates", request, cancellationToken);
        return reply?["id"]?.GetValue<string>();
    }

    /// <summary>Waits until the feed has delivered everything of one request (webhooks answered, files written).</summary>
    public async Task WaitForStockDeliveryAsync(string source, string id, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var status = await SendAsync(HttpMethod.Get, $"_sandbox/stock/{source}/deliveries/{id}", null, cancellationToken);
            if (status?["done"]?.GetValue<bool>() == true)
            {
                return;
            }

            await Task.Delay(100, cancellationToken);
        }

        throw new TimeoutException($"stock delivery {id} of source {source} did not finish within {timeout}");
    }

    public Task<JsonNode?> ChangeOrderAsync(long entityId, string action, JsonObject? body, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, $"_sandbox/magento/orders/{entityId}/{action}", body ?? [], cancellationToken);

    public Task SetFaultsAsync(string system, JsonObject profile, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Put, $"_sandbox/faults/{system}", profile, cancellationToken);

    public Task ConfigureWebhooksAsync(JsonObject settings, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Put, "_sandbox/magento/webhooks", settings, cancellationToken);

    public async Task<JsonNode> GetOrderAsync(long entityId, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"magento/rest/{store}/V1/orders/{entityId}");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", magentoToken);
        using var response = await http.SendAsync(request, cancellationToken);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonNode>(cancellationToken))!;
    }

    /// <param name="names">Only these named counters (cheaper to poll while a run is under way); all counters when none.</param>
    public async Task<SandboxCounters> CountersAsync(CancellationToken cancellationToken, params string[] names) =>
        new((await SendAsync(HttpMethod.Get, "_sandbox/counters" + (names.Length == 0 ? "" : "?" + string.Join('&', names.Select(n => "name=" + Uri.EscapeDataString(n)))), null, cancellationToken))!);

    private async Task<JsonNode?> SendAsync(HttpMethod method, string path, JsonNode? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Add("x-api-key", apiKey);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        using var response = await http.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            var detail = await response.Content.ReadAsStringAsync(cancellationToken);
            throw new SandboxRefusedException($"{method} {path}: {(int)response.StatusCode} {detail}", (int)response.StatusCode);
        }

        return response.Content.Headers.ContentLength == 0 ? null : await response.Content.ReadFromJsonAsync<JsonNode>(cancellationToken);
    }
}

public sealed class SandboxRefusedException(string message, int status) : Exception(message)
{
    public int Status { get; } = status;
}

/// <summary>A snapshot of the sandbox's named counters: totals and per-item values.</summary>
public sealed class SandboxCounters(JsonNode root)
{
    public long Total(string counter) => root["counters"]?[counter]?["total"]?.GetValue<long>() ?? 0;

    public IReadOnlyDictionary<string, long> Items(string counter) =>
        root["counters"]?[counter]?["items"]?.AsObject().ToDictionary(p => p.Key, p => p.Value!.GetValue<long>(), StringComparer.Ordinal)
        ?? new Dictionary<string, long>(StringComparer.Ordinal);
}
