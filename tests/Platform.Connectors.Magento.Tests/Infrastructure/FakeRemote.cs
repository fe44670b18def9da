using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Platform.Connectors.Testing;

// A real Kestrel server on 127.0.0.1 with a free port standing in for the remote system. The callback gets
// the request (body already read) and its 1-based number.
internal sealed class FakeRemote : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _hits;

    private FakeRemote(WebApplication app) => _app = app;

    public string BaseAddress { get; private set; } = "";

    public int Hits => Volatile.Read(ref _hits);

    public ConcurrentQueue<ReceivedRequest> Requests { get; } = new();

    // prefix: the path the connector's base address ends with, e.g. "/magento/" as the sandbox mounts it.
    public static async Task<FakeRemote> StartAsync(string prefix, Func<HttpContext, ReceivedRequest, Task> respond)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var remote = new FakeRemote(app);
        app.Run(async context =>
        {
            var number = Interlocked.Increment(ref remote._hits);
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync(context.RequestAborted);
            var path = context.Request.Path.Value ?? "";
            var received = new ReceivedRequest(
                number,
                context.Request.Method,
                path.StartsWith(prefix, StringComparison.Ordinal) ? path[prefix.Length..] : "!outside-prefix!" + path,
                context.Request.QueryString.Value ?? "",
                context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
                body);
            remote.Requests.Enqueue(received);
            await respond(context, received);
        });
        await app.StartAsync();
        remote.BaseAddress = app.Urls.Single().TrimEnd('/') + prefix;
        return remote;
    }

    public static async Task WriteJsonAsync(HttpContext context, int status, string json)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(json);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

// Path is relative to the prefix; Query is the raw query string as sent, "?" included.
internal sealed record ReceivedRequest(
    int Number, string Method, string Path, string Query, IReadOnlyDictionary<string, string> Headers, string Body);
