using System.Net.Http.Json;
using System.Text.Json;

namespace Platform.Connectors;

// Base for typed connector clients: every request goes out with an operation name, so metrics show
// "orders.list" rather than an anonymous URL.
public abstract class ConnectorClient(HttpClient http)
{
    protected HttpClient Http { get; } = http;

    protected virtual JsonSerializerOptions JsonOptions => JsonSerializerOptions.Web;

    protected Task<HttpResponseMessage> SendAsync(string operation, HttpRequestMessage request, CancellationToken cancellationToken = default)
    {
        request.SetOperation(operation);
        return Http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
    }

    protected async Task<T> GetJsonAsync<T>(string operation, string relativeUri, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, relativeUri);
        using var response = await SendAsync(operation, request, cancellationToken).ConfigureAwait(false);
        EnsureSuccess(operation, response);
        return await response.Content.ReadFromJsonAsync<T>(JsonOptions, cancellationToken).ConfigureAwait(false)
               ?? throw new JsonException($"{operation}: the remote answered with an empty JSON body");
    }

    // The caller owns (and disposes) the returned response.
    protected async Task<HttpResponseMessage> SendJsonAsync<TBody>(
        string operation, HttpMethod method, string relativeUri, TBody body, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(method, relativeUri)
        {
            Content = JsonContent.Create(body, options: JsonOptions),
        };
        // JsonContent serialises lazily on every send; buffering it once keeps retries and HMAC
        // signing reading identical bytes.
        await request.Content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
        var response = await SendAsync(operation, request, cancellationToken).ConfigureAwait(false);
        return response;
    }

    // Throws a ConnectorException carrying the status; the body is left out of the message because
    // remote error bodies often echo customer data.
    protected static void EnsureSuccess(string operation, HttpResponseMessage response)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var system = response.RequestMessage?.GetConnectorSystem() ?? "connector";
        throw new ConnectorException(system, operation, response.StatusCode, response.ReasonPhrase);
    }
}
