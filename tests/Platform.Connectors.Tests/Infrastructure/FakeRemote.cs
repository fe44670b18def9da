using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Platform.Connectors.Tests.Infrastructure;

// A real Kestrel server on 127.0.0.1 with a free port, answering with whatever the test scripts.
// The callback receives the 1-based number of the request, so "fail twice, then succeed" is a one-liner.
internal sealed class FakeRemote : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _hits;

    private FakeRemote(WebApplication app) => _app = app;

    public string BaseAddress { get; private set; } = "";

    public int Hits => Volatile.Read(ref _hits);

    public ConcurrentQueue<ReceivedRequest> Requests { get; } = new();

    public static async Task<FakeRemote> StartAsync(Func<HttpContext, int, Task> respond)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var remote = new FakeRemote(app);
        app.Run(async context =>
        {
            var number = Interlocked.Increment(ref remote._hits);
            context.Request.EnableBuffering();
            using var reader = new StreamReader(context.Request.Body, leaveOpen: true);
            var body = await reader.ReadToEndAsync(context.RequestAborted);
            context.Request.Body.Position = 0;
            remote.Requests.Enqueue(new ReceivedRequest(
                number,
                Stopwatch.GetTimestamp(),
                context.Request.Method,
                context.Request.Path + context.Request.QueryString,
                context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
                body));
            await respond(context, number);
        });
        await app.StartAsync();
        remote.BaseAddress = app.Urls.Single();
        return remote;
    }

    // A respond callback that answers each request with the next status in the list, repeating the last.
    public static Func<HttpContext, int, Task> Statuses(params int[] statuses) => (context, number) =>
    {
        context.Response.StatusCode = statuses[Math.Min(number, statuses.Length) - 1];
        return Task.CompletedTask;
    };

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

internal sealed record ReceivedRequest(
    int Number, long Timestamp, string Method, string PathAndQuery, IReadOnlyDictionary<string, string> Headers, string Body);
