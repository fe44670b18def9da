using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.AspNetCore.Http;
using Platform.Connectors.Testing;

namespace Platform.Connectors.Erp.Tests.Infrastructure;

// The ERP contract's idempotency: the first request with a key creates a document (201), any later one
// with the same key gets that document back (200), whatever its body.
internal sealed class FakeErp
{
    private readonly ConcurrentDictionary<string, string> _documentsByKey = new();
    private int _nextDocument = 4711;

    public async Task RespondAsync(HttpContext context, ReceivedRequest request)
    {
        if (request.Method != "POST")
        {
            await FakeRemote.WriteJsonAsync(context, 404, """{"type":"about:blank","title":"Not Found","status":404}""");
            return;
        }

        var key = request.Headers.GetValueOrDefault("Idempotency-Key");
        if (string.IsNullOrEmpty(key))
        {
            await FakeRemote.WriteJsonAsync(context, 400, """{"error":"Idempotency-Key header is required"}""");
            return;
        }

        var created = false;
        var document = _documentsByKey.GetOrAdd(key, _ =>
        {
            created = true;
            return "SO-" + Interlocked.Increment(ref _nextDocument).ToString(CultureInfo.InvariantCulture);
        });
        await FakeRemote.WriteJsonAsync(context, created ? 201 : 200, $$"""{"documentNumber":"{{document}}"}""");
    }
}
