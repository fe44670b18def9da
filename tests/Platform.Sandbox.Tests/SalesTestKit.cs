using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Platform.Sandbox.Tests;

/// <summary>A clock a test moves by hand; Magento timestamps have whole seconds, so tests step in seconds.</summary>
internal sealed class TestClock(DateTimeOffset start) : TimeProvider
{
    private long _ticks = start.UtcTicks;

    public static DateTimeOffset Start { get; } = new(2026, 11, 22, 9, 0, 0, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
}

internal static class SalesTestKit
{
    public static Task<SandboxHost> StartWithClockAsync(TestClock clock, IDictionary<string, string?>? overrides = null) =>
        SandboxHost.StartAsync(overrides, configureServices: services => services.AddSingleton<TimeProvider>(clock));

    public static async Task<(HttpStatusCode Status, JsonElement Body)> MagentoGetAsync(this SandboxHost sandbox, string pathBelowRest, string store = "default")
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"magento/rest/{store}/V1/{pathBelowRest}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", SandboxHost.MagentoToken);
        using var response = await sandbox.Client.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    /// <summary>Creates an order through the control API and returns Magento's order JSON.</summary>
    public static async Task<JsonElement> CreateOrderAsync(this SandboxHost sandbox, object? spec = null, string store = "default")
    {
        using var response = await sandbox.Client.PostAsync($"_sandbox/magento/stores/{store}/orders", spec is null ? null : JsonContent.Create(spec));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"order not created: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>invoice, ship, cancel or refund; returns the status and the order JSON (or the problem).</summary>
    public static async Task<(HttpStatusCode Status, JsonElement Body)> ChangeOrderAsync(this SandboxHost sandbox, long entityId, string action, object? body = null)
    {
        using var response = await sandbox.Client.PostAsync($"_sandbox/magento/orders/{entityId}/{action}", body is null ? null : JsonContent.Create(body));
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    public static async Task<JsonElement> OrderAsync(this SandboxHost sandbox, long entityId)
    {
        var (status, body) = await sandbox.MagentoGetAsync($"orders/{entityId}");
        Assert.Equal(HttpStatusCode.OK, status);
        return body;
    }

    public static long EntityId(this JsonElement order) => order.GetProperty("entity_id").GetInt64();

    public static decimal Decimal(this JsonElement element, string property) => element.GetProperty(property).GetDecimal();

    public static string Text(this JsonElement element, string property) => element.GetProperty(property).GetString()!;

    public static async Task<HttpResponseMessage> ErpSendAsync(this SandboxHost sandbox, HttpMethod method, string path, string? idempotencyKey, object? body)
    {
        using var request = new HttpRequestMessage(method, "erp/" + path);
        request.Headers.Add("X-Api-Key", SandboxHost.ErpKey);
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        return await sandbox.Client.SendAsync(request);
    }

    public static async Task<(HttpStatusCode Status, JsonElement Body)> ErpAsync(this SandboxHost sandbox, HttpMethod method, string path, string? idempotencyKey = null, object? body = null)
    {
        using var response = await sandbox.ErpSendAsync(method, path, idempotencyKey, body);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    public static Task Eventually(Func<bool> condition, string what, int seconds = 15) =>
        Eventually(() => Task.FromResult(condition()), what, seconds);

    public static async Task Eventually(Func<Task<bool>> condition, string what, int seconds = 15)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(seconds), $"{what}: not within {seconds} s");
            await Task.Delay(20);
        }
    }
}

/// <summary>The platform's side of the webhooks, as a test needs it: records every request and answers what it is told.</summary>
internal sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;

    private WebhookReceiver(WebApplication app, string url)
    {
        _app = app;
        Url = url;
    }

    public string Url { get; }

    public ConcurrentQueue<ReceivedWebhook> Received { get; } = new();

    /// <summary>The status to answer the n-th request (from 1) with; 200 unless changed.</summary>
    public Func<int, int> Answer { get; set; } = _ => StatusCodes.Status200OK;

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        WebhookReceiver? receiver = null;
        var count = 0;
        app.MapPost("/hooks/magento", async (HttpContext context) =>
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer);
            var headers = context.Request.Headers.ToDictionary(header => header.Key, header => header.Value.ToString(), StringComparer.OrdinalIgnoreCase);
            var number = Interlocked.Increment(ref count);
            receiver!.Received.Enqueue(new ReceivedWebhook(number, headers, buffer.ToArray()));
            return Results.StatusCode(receiver.Answer(number));
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        receiver = new WebhookReceiver(app, address + "/hooks/magento");
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

internal sealed record ReceivedWebhook(int Number, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    public JsonElement Order => JsonDocument.Parse(Body).RootElement;

    public string Header(string name) => Headers.TryGetValue(name, out var value) ? value : "";

    public string BodyText => Encoding.UTF8.GetString(Body);
}
