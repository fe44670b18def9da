using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Security.Cryptography;
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

public sealed class StockFeedTests
{
    private const string Secret = "test-stock-secret";

    private static object Update(string sku, long? sequence, decimal quantity = 1, string type = "absolute", string location = "WH-BER", string? measuredAt = null) =>
        new { sku, location, type, quantity, sequence, measuredAt };

    private static async Task<(HttpStatusCode Status, JsonElement Body, HttpResponseMessage Response)> SendUpdatesAsync(SandboxHost sandbox, string source, object spec)
    {
        var response = await sandbox.Client.PostAsJsonAsync($"_sandbox/stock/{source}/updates", spec);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (response.StatusCode, body, response);
    }

    private static async Task<JsonElement> WaitForRunAsync(SandboxHost sandbox, string source, string id)
    {
        JsonElement state = default;
        await SalesTestKit.Eventually(async () =>
        {
            state = await sandbox.Client.GetFromJsonAsync<JsonElement>($"_sandbox/stock/{source}/deliveries/{id}");
            return state.GetProperty("done").GetBoolean();
        }, "stock send done");
        return state;
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> PullAsync(SandboxHost sandbox, string query, string? key = SandboxHost.ErpKey)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "erp/api/v1/stock-changes" + query);
        if (key is not null)
        {
            request.Headers.Add("X-Api-Key", key);
        }

        using var response = await sandbox.Client.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    /// <summary>The receiving side as the contract describes it, written independently of the sandbox's signer.</summary>
    private static bool SignatureIsValid(ReceivedStockWebhook webhook, string secret)
    {
        var parts = webhook.Header("X-Platform-Webhook-Signature").Split(',').Select(part => part.Split('=', 2)).ToDictionary(pair => pair[0], pair => pair[1]);
        using var hmac = new HMACSHA256(Encoding.UTF8.GetBytes(secret));
        var expected = Convert.ToHexString(hmac.ComputeHash([.. Encoding.UTF8.GetBytes(parts["t"] + "."), .. webhook.Body])).ToLowerInvariant();
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(parts["v1"]));
    }

    private static Dictionary<string, string?> WebhooksTo(StockReceiver receiver, params (string Key, string Value)[] more)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Sandbox:Stock:WebhookUrl"] = receiver.UrlTemplate,
            ["Sandbox:Stock:WebhookSecret"] = Secret,
            ["Sandbox:Stock:WebhookConcurrency"] = "1",
        };
        foreach (var (key, value) in more)
        {
            settings["Sandbox:Stock:" + key] = value;
        }

        return settings;
    }

    [Fact]
    public async Task The_erp_change_log_pages_with_the_cursor_and_says_when_more_follows()
    {
        await using var sandbox = await SandboxHost.StartAsync();
        var updates = Enumerable.Range(1, 6).Select(i => Update($"SKU-{i}", 100 + i, quantity: i)).Append(Update("SKU-7", null, measuredAt: "2026-11-22T11:00:00+01:00"));
        var (status, recorded, response) = await SendUpdatesAsync(sandbox, "erp", new { channel = "pull", updates });
        response.Dispose();
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(recorded.GetProperty("done").GetBoolean());

        var seen = new List<JsonElement>();
        var cursors = new List<string>();
        var hasMore = new List<bool>();
        var after = "";
        do
        {
            var (code, page) = await PullAsync(sandbox, $"?after={after}&limit=3");
            Assert.Equal(HttpStatusCode.OK, code);
            seen.AddRange(page.GetProperty("changes").EnumerateArray());
            after = page.Text("nextCursor");
            cursors.Add(after);
            hasMore.Add(page.GetProperty("hasMore").GetBoolean());
        }
        while (hasMore[^1]);

        Assert.Equal([true, true, false], hasMore);
        Assert.Equal([.. Enumerable.Range(1, 7).Select(i => $"SKU-{i}")], seen.Select(change => change.Text("sku")));
        var ids = seen.Select(change => change.Text("changeId")).ToList();
        Assert.All(ids, id => Assert.Matches("^[0-9]{20}$", id));
        Assert.Equal(ids, ids.Order(StringComparer.Ordinal).Distinct());
        Assert.Equal([ids[2], ids[5], ids[6]], cursors);
        Assert.Equal(recorded.Text("firstChangeId"), ids[0]);
        Assert.Equal(recorded.Text("lastChangeId"), ids[6]);
        Assert.Equal("""{"changeId":"ID","sku":"SKU-1","location":"WH-BER","type":"absolute","quantity":1,"sequence":101}""",
            seen[0].GetRawText().Replace(ids[0], "ID", StringComparison.Ordinal));
        Assert.False(seen[6].TryGetProperty("sequence", out _));
        Assert.Equal("2026-11-22T10:00:00Z", seen[6].Text("measuredAt"));

        var (_, caughtUp) = await PullAsync(sandbox, $"?after={ids[6]}");
        Assert.Empty(caughtUp.GetProperty("changes").EnumerateArray());
        Assert.Equal(ids[6], caughtUp.Text("nextCursor"));
        Assert.False(caughtUp.GetProperty("hasMore").GetBoolean());

        (await SendUpdatesAsync(sandbox, "erp", new { channel = "pull", updates = new[] { Update("SKU-8", 200) } })).Response.Dispose();
        (await SendUpdatesAsync(sandbox, "wms", new { channel = "pull", updates = new[] { Update("WMS-ONLY", 1) } })).Response.Dispose();
        var (_, next) = await PullAsync(sandbox, $"?after={ids[6]}");
        Assert.Equal("SKU-8", Assert.Single(next.GetProperty("changes").EnumerateArray()).Text("sku"));
        Assert.Equal(5, sandbox.Services.GetCounters().Get("stock.pull.requests", "erp"));
    }

    [Theory]
    [InlineData("?after=abc", "after")]
    [InlineData("?after=123456789012345678901", "after")]
    [InlineData("?limit=0", "limit")]
    [InlineData("?limit=1001", "limit")]
    [InlineData("?limit=ten", "limit")]
    public async Task A_malformed_cursor_or_limit_is_a_problem_naming_it(string query, string field)
    {
        await using var sandbox = await SandboxHost.StartAsync();

        var (status, problem) = await PullAsync(sandbox, query);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.GetRawText());
        Assert.Equal("VALIDATION_FAILED", problem.Text("code"));
    }

    [Fact]
    public async Task The_change_log_needs_the_erp_key_and_goes_through_the_erp_faults()
    {
        await using var sandbox = await SandboxHost.StartAsync();

        var (anonymous, _) = await PullAsync(sandbox, "", key: null);
        await sandbox.PutFaultsAsync("erp", new { errorRate = 1.0, errorStatus = 502 });
        var (faulted, _) = await PullAsync(sandbox, "");

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous);
        Assert.Equal(HttpStatusCode.BadGateway, faulted);
        Assert.Equal(0, sandbox.Services.GetCounters().Get("stock.pull.requests"));
    }

    [Fact]
    public async Task Webhooks_arrive_signed_in_batches_with_some_updates_reordered_and_some_batches_redelivered()
    {
        await using var receiver = await StockReceiver.StartAsync();
        await using var sandbox = await SandboxHost.StartAsync(WebhooksTo(receiver));
        // Four rounds of ten SKUs, each round newer than the one before: the order a source sends them in.
        var updates = Enumerable.Range(1, 4).SelectMany(round => Enumerable.Range(1, 10).Select(sku => Update($"SKU-{sku}", round * 10, quantity: round))).ToList();

        var (status, accepted, response) = await SendUpdatesAsync(sandbox, "wms",
            new { channel = "webhook", updates, batchSize = 7, outOfOrder = 0.5, duplicates = 0.5, seed = 11 });
        Assert.Equal(HttpStatusCode.Accepted, status);
        Assert.Equal($"/_sandbox/stock/wms/deliveries/{accepted.Text("id")}", response.Headers.Location?.OriginalString);
        response.Dispose();
        var state = await WaitForRunAsync(sandbox, "wms", accepted.Text("id"));

        var batches = state.GetProperty("batches").GetInt32();
        var redeliveries = state.GetProperty("redeliveries").GetInt32();
        var reordered = state.GetProperty("reordered").GetInt32();
        Assert.Equal(6, batches);
        Assert.InRange(redeliveries, 1, 5);
        Assert.InRange(reordered, 1, 30);
        Assert.Equal(batches + redeliveries, state.GetProperty("sent").GetInt64());
        Assert.Equal(0, state.GetProperty("failed").GetInt64());

        var received = receiver.Received.OrderBy(webhook => webhook.Number).ToList();
        Assert.Equal(batches + redeliveries, received.Count);
        Assert.All(received, webhook =>
        {
            Assert.True(SignatureIsValid(webhook, Secret), "signature must verify");
            Assert.False(SignatureIsValid(webhook, "another-secret"), "a wrong secret must not verify");
            Assert.Equal("application/json", webhook.Header("Content-Type"));
            Assert.Equal("wms", webhook.Source);
            Assert.Equal("wms", webhook.Json.Text("source"));
            Assert.InRange(webhook.Header("X-Platform-Webhook-Id").Length, 1, 200);
        });

        var byId = received.GroupBy(webhook => webhook.Header("X-Platform-Webhook-Id")).ToList();
        Assert.Equal(batches, byId.Count);
        var repeated = byId.Where(copies => copies.Count() == 2).ToList();
        Assert.Equal(redeliveries, repeated.Count);
        Assert.All(repeated, copies => Assert.Single(copies.Select(copy => copy.BodyText).Distinct()));
        // Redeliveries come after every first delivery.
        Assert.All(repeated, copies => Assert.True(copies.Last().Number > batches));

        var firstDeliveries = byId.Select(copies => copies.First()).OrderBy(webhook => webhook.Number).ToList();
        var arrived = firstDeliveries.SelectMany(webhook => webhook.Json.GetProperty("updates").EnumerateArray())
            .Select(update => (Sku: update.Text("sku"), Location: update.Text("location"), Sequence: update.GetProperty("sequence").GetInt64()))
            .ToList();
        Assert.Equal(40, arrived.Count);
        Assert.Equal(40, arrived.Distinct().Count());
        // Each swap makes exactly one older update of a SKU arrive right after a newer one.
        var descents = arrived.GroupBy(update => (update.Sku, update.Location))
            .Sum(key => key.Zip(key.Skip(1)).Count(pair => pair.Second.Sequence < pair.First.Sequence));
        Assert.Equal(reordered, descents);

        var counters = sandbox.Services.GetCounters();
        Assert.Equal(received.Count, counters.Get("stock.webhook.batches", "wms"));
        Assert.Equal(received.Sum(webhook => webhook.Json.GetProperty("updates").GetArrayLength()), counters.Get("stock.webhook.updates", "wms"));
        Assert.Equal(redeliveries, counters.Get("stock.webhook.redeliveries", "wms"));
        Assert.Equal(reordered, counters.Get("stock.updates.reordered", "wms"));
    }

    [Fact]
    public async Task Without_reordering_or_duplicates_the_batches_arrive_once_in_order()
    {
        await using var receiver = await StockReceiver.StartAsync();
        await using var sandbox = await SandboxHost.StartAsync(WebhooksTo(receiver));
        var updates = Enumerable.Range(1, 12).Select(i => Update("SKU-1", i, quantity: i)).ToList();

        var (_, accepted, response) = await SendUpdatesAsync(sandbox, "erp", new { channel = "webhook", updates, batchSize = 5 });
        response.Dispose();
        await WaitForRunAsync(sandbox, "erp", accepted.Text("id"));

        var sequences = receiver.Received.OrderBy(webhook => webhook.Number)
            .SelectMany(webhook => webhook.Json.GetProperty("updates").EnumerateArray().Select(update => update.GetProperty("sequence").GetInt64()));
        Assert.Equal(Enumerable.Range(1, 12).Select(i => (long)i), sequences);
        Assert.Equal([5, 5, 2], receiver.Received.OrderBy(webhook => webhook.Number).Select(webhook => webhook.Json.GetProperty("updates").GetArrayLength()));
    }

    [Fact]
    public async Task A_5xx_is_retried_under_the_same_delivery_id_and_a_4xx_is_given_up_at_once()
    {
        await using var receiver = await StockReceiver.StartAsync();
        receiver.Answer = number => number switch
        {
            1 => StatusCodes.Status503ServiceUnavailable,
            2 => StatusCodes.Status202Accepted,
            _ => StatusCodes.Status400BadRequest,
        };
        await using var sandbox = await SandboxHost.StartAsync(WebhooksTo(receiver, ("WebhookRetryDelayMs", "10")));

        var (_, accepted, response) = await SendUpdatesAsync(sandbox, "erp",
            new { channel = "webhook", updates = new[] { Update("SKU-1", 1), Update("SKU-2", 1) }, batchSize = 1 });
        response.Dispose();
        var state = await WaitForRunAsync(sandbox, "erp", accepted.Text("id"));

        var received = receiver.Received.OrderBy(webhook => webhook.Number).ToList();
        Assert.Equal(3, received.Count);
        Assert.Equal(received[0].Header("X-Platform-Webhook-Id"), received[1].Header("X-Platform-Webhook-Id"));
        Assert.Equal(received[0].BodyText, received[1].BodyText);
        Assert.NotEqual(received[1].Header("X-Platform-Webhook-Id"), received[2].Header("X-Platform-Webhook-Id"));
        Assert.Equal(1, state.GetProperty("sent").GetInt64());
        Assert.Equal(1, state.GetProperty("failed").GetInt64());
        Assert.Equal(1, state.GetProperty("retries").GetInt64());
        var failure = Assert.Single(state.GetProperty("failures").EnumerateArray());
        Assert.Equal(received[2].Header("X-Platform-Webhook-Id"), failure.Text("deliveryId"));
        Assert.Equal("HTTP 400", failure.Text("outcome"));
        Assert.Equal(1, failure.GetProperty("attempts").GetInt32());
        var counters = sandbox.Services.GetCounters();
        Assert.Equal(1, counters.Get("stock.webhook.failures", "erp"));
        Assert.Equal(1, counters.Get("stock.webhook.retries", "erp"));
        Assert.Equal(1, counters.Get("stock.webhook.batches", "erp"));
    }

    [Fact]
    public async Task An_unreachable_receiver_is_retried_up_to_the_attempt_limit_then_given_up()
    {
        int closedPort;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            closedPort = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        await using var sandbox = await SandboxHost.StartAsync(new Dictionary<string, string?>
        {
            ["Sandbox:Stock:WebhookUrl"] = $"http://127.0.0.1:{closedPort}/webhooks/stock/{{source}}",
            ["Sandbox:Stock:WebhookMaxAttempts"] = "3",
            ["Sandbox:Stock:WebhookRetryDelayMs"] = "10",
        });

        var (_, accepted, response) = await SendUpdatesAsync(sandbox, "erp", new { channel = "webhook", updates = new[] { Update("SKU-1", 1) } });
        response.Dispose();
        var state = await WaitForRunAsync(sandbox, "erp", accepted.Text("id"));

        Assert.Equal(0, state.GetProperty("sent").GetInt64());
        Assert.Equal(2, state.GetProperty("retries").GetInt64());
        Assert.Equal(3, Assert.Single(state.GetProperty("failures").EnumerateArray()).GetProperty("attempts").GetInt32());
    }

    [Fact]
    public async Task A_source_can_have_its_own_secret_and_the_shared_one_is_made_up_for_the_run_when_not_configured()
    {
        await using var receiver = await StockReceiver.StartAsync();
        await using var sandbox = await SandboxHost.StartAsync(new Dictionary<string, string?>
        {
            ["Sandbox:Stock:WebhookUrl"] = receiver.UrlTemplate,
            ["Sandbox:Stock:WebhookSecrets:erp"] = "erp-own-secret",
        });

        foreach (var source in new[] { "erp", "wms" })
        {
            var (_, accepted, response) = await SendUpdatesAsync(sandbox, source, new { channel = "webhook", updates = new[] { Update("SKU-1", 1) } });
            response.Dispose();
            await WaitForRunAsync(sandbox, source, accepted.Text("id"));
        }

        var credentials = await sandbox.Client.GetFromJsonAsync<Dictionary<string, string>>("_sandbox/credentials");
        var made = credentials!["Sandbox:Stock:WebhookSecret"];
        Assert.Matches("^[0-9a-f]{40}$", made);
        Assert.Equal("erp-own-secret", credentials["Sandbox:Stock:WebhookSecrets:erp"]);
        var erp = receiver.Received.Single(webhook => webhook.Source == "erp");
        var wms = receiver.Received.Single(webhook => webhook.Source == "wms");
        Assert.True(SignatureIsValid(erp, "erp-own-secret"));
        Assert.False(SignatureIsValid(erp, made));
        Assert.True(SignatureIsValid(wms, made));
    }

    [Fact]
    public async Task Csv_files_are_complete_with_the_header_one_per_batch_in_delivery_order()
    {
        var folder = Path.Combine(Path.GetTempPath(), "sandbox-stock-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using var sandbox = await SandboxHost.StartAsync(new Dictionary<string, string?> { ["Sandbox:Stock:CsvFolder"] = folder });
            var updates = new[]
            {
                Update("SKU-1", 1, quantity: 12),
                Update("SKU,2", 2, quantity: 3.5m),
                Update("SKU \"3\"", null, quantity: -2, type: "delta", measuredAt: "2026-11-22T10:00:00Z"),
                Update("SKU-4", 4, quantity: 0),
                Update("SKU-5", 5, quantity: 5, location: "WH-HAM"),
            };

            var (status, state, response) = await SendUpdatesAsync(sandbox, "erp", new { channel = "csv", updates, batchSize = 2, duplicates = 1.0 });
            response.Dispose();

            Assert.Equal(HttpStatusCode.OK, status);
            Assert.True(state.GetProperty("done").GetBoolean());
            var files = state.GetProperty("files").EnumerateArray().Select(file => file.GetString()!).ToList();
            Assert.Equal(6, files.Count);
            Assert.Equal(files.Order(StringComparer.Ordinal), files);
            Assert.Equal(files.Order(StringComparer.Ordinal), Directory.GetFiles(Path.Combine(folder, "erp")).Order(StringComparer.Ordinal));
            Assert.Empty(Directory.GetFiles(folder, "*.tmp", SearchOption.AllDirectories));

            var rows = new List<string>();
            foreach (var file in files)
            {
                var bytes = await File.ReadAllBytesAsync(file);
                Assert.NotEqual(0xEF, bytes[0]);
                var text = Encoding.UTF8.GetString(bytes);
                Assert.StartsWith("sku,location,type,quantity,sequence,measured_at\r\n", text, StringComparison.Ordinal);
                Assert.EndsWith("\r\n", text, StringComparison.Ordinal);
                rows.AddRange(text.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Skip(1));
            }

            string[] expected =
            [
                "SKU-1,WH-BER,absolute,12,1,",
                "\"SKU,2\",WH-BER,absolute,3.5,2,",
                "\"SKU \"\"3\"\"\",WH-BER,delta,-2,,2026-11-22T10:00:00Z",
                "SKU-4,WH-BER,absolute,0,4,",
                "SKU-5,WH-HAM,absolute,5,5,",
            ];
            Assert.Equal([.. expected, .. expected], rows);
            Assert.Equal(6, sandbox.Services.GetCounters().Get("stock.csv.files", "erp"));
        }
        finally
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    [Theory]
    [InlineData("""{"channel":"fax","updates":[{"sku":"A","location":"L","type":"absolute","quantity":1,"sequence":1}]}""", "channel")]
    [InlineData("""{"channel":"pull","updates":[]}""", "updates")]
    [InlineData("""{"channel":"pull","updates":[{"sku":"A","location":"L","type":"absolute","quantity":1,"sequence":1},{"sku":"A","location":"L","type":"snapshot","quantity":1,"sequence":2}]}""", "updates[1].type")]
    [InlineData("""{"channel":"pull","updates":[{"sku":"A","location":"L","type":"absolute","quantity":-1,"sequence":1}]}""", "updates[0].quantity")]
    [InlineData("""{"channel":"pull","updates":[{"sku":"A","location":"L","type":"delta","quantity":-1}]}""", "updates[0].sequence")]
    [InlineData("""{"channel":"pull","updates":[{"sku":"A","location":"L","type":"delta","quantity":-1,"measuredAt":"yesterday"}]}""", "updates[0].measuredAt")]
    [InlineData("""{"channel":"pull","updates":[{"sku":"","location":"L","type":"delta","quantity":1,"sequence":1}]}""", "updates[0].sku")]
    [InlineData("""{"channel":"pull","batchSize":0,"updates":[{"sku":"A","location":"L","type":"delta","quantity":1,"sequence":1}]}""", "batchSize")]
    [InlineData("""{"channel":"pull","outOfOrdr":0.5,"updates":[{"sku":"A","location":"L","type":"delta","quantity":1,"sequence":1}]}""", "outOfOrdr")]
    public async Task Invalid_sends_are_refused_naming_the_field(string json, string field)
    {
        await using var sandbox = await SandboxHost.StartAsync();

        using var response = await sandbox.Client.PostAsync("_sandbox/stock/erp/updates", new StringContent(json, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(field, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(0, sandbox.Services.GetCounters().Get("stock.changes.recorded"));
    }

    [Fact]
    public async Task Unconfigured_channels_unknown_sends_and_bad_source_names_are_refused()
    {
        await using var sandbox = await SandboxHost.StartAsync();
        var one = new[] { Update("SKU-1", 1) };

        var (webhook, webhookProblem, r1) = await SendUpdatesAsync(sandbox, "erp", new { channel = "webhook", updates = one });
        var (csv, csvProblem, r2) = await SendUpdatesAsync(sandbox, "erp", new { channel = "csv", updates = one });
        var (badSource, badSourceProblem, r3) = await SendUpdatesAsync(sandbox, "bad.name", new { channel = "pull", updates = one });
        using var unknown = await sandbox.Client.GetAsync("_sandbox/stock/erp/deliveries/nope");
        r1.Dispose();
        r2.Dispose();
        r3.Dispose();

        Assert.Equal(HttpStatusCode.Conflict, webhook);
        Assert.Contains("Sandbox:Stock:WebhookUrl", webhookProblem.Text("detail"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Conflict, csv);
        Assert.Contains("Sandbox:Stock:CsvFolder", csvProblem.Text("detail"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, badSource);
        Assert.True(badSourceProblem.GetProperty("errors").TryGetProperty("source", out _));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task A_pull_send_can_reorder_and_duplicate_what_the_log_records_and_the_log_can_be_cleared()
    {
        await using var sandbox = await SandboxHost.StartAsync();
        var updates = Enumerable.Range(1, 20).Select(i => Update("SKU-1", i)).ToList();

        var (_, state, response) = await SendUpdatesAsync(sandbox, "erp", new { channel = "pull", updates, batchSize = 4, outOfOrder = 1.0, duplicates = 1.0 });
        response.Dispose();
        var log = await sandbox.Client.GetFromJsonAsync<JsonElement>("_sandbox/stock/erp/changes?limit=1000");
        using var cleared = await sandbox.Client.DeleteAsync("_sandbox/stock/erp/changes");
        var (_, afterClear) = await PullAsync(sandbox, "");

        var sequences = log.GetProperty("changes").EnumerateArray().Select(change => change.GetProperty("sequence").GetInt64()).ToList();
        Assert.Equal(10, state.GetProperty("reordered").GetInt32());
        Assert.Equal(40, sequences.Count);
        Assert.Equal([2, 1, 4, 3], sequences.Take(4));
        Assert.Equal(sequences.Take(20), sequences.Skip(20));
        Assert.Equal(HttpStatusCode.NoContent, cleared.StatusCode);
        Assert.Empty(afterClear.GetProperty("changes").EnumerateArray());
    }
}

/// <summary>The inventory service's stock webhook as a test needs it: records every request and answers what it is told.</summary>
internal sealed class StockReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;

    private StockReceiver(WebApplication app, string address)
    {
        _app = app;
        UrlTemplate = address + "/webhooks/stock/{source}";
    }

    public string UrlTemplate { get; }

    public ConcurrentQueue<ReceivedStockWebhook> Received { get; } = new();

    /// <summary>The status to answer the n-th request (from 1) with; 202 unless changed.</summary>
    public Func<int, int> Answer { get; set; } = _ => StatusCodes.Status202Accepted;

    public static async Task<StockReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        StockReceiver? receiver = null;
        var count = 0;
        app.MapPost("/webhooks/stock/{source}", async (string source, HttpContext context) =>
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer);
            var headers = context.Request.Headers.ToDictionary(header => header.Key, header => header.Value.ToString(), StringComparer.OrdinalIgnoreCase);
            var number = Interlocked.Increment(ref count);
            receiver!.Received.Enqueue(new ReceivedStockWebhook(number, source, headers, buffer.ToArray()));
            return Results.StatusCode(receiver.Answer(number));
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        receiver = new StockReceiver(app, address);
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

internal sealed record ReceivedStockWebhook(int Number, string Source, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;

    public string Header(string name) => Headers.TryGetValue(name, out var value) ? value : "";

    public string BodyText => Encoding.UTF8.GetString(Body);
}
