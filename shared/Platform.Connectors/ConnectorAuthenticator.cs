using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace Platform.Connectors;

// Puts credentials from configuration on each attempt. Nothing here logs, and no message built here
// contains a credential.
internal sealed class ConnectorAuthenticator(AuthenticationSettings settings, TimeProvider timeProvider)
{
    private readonly string? _basicParameter = settings.Scheme == ConnectorAuthenticationScheme.Basic
        ? Convert.ToBase64String(Encoding.UTF8.GetBytes($"{settings.Username}:{settings.Password}"))
        : null;

    public async ValueTask ApplyAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        switch (settings.Scheme)
        {
            case ConnectorAuthenticationScheme.Bearer:
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", settings.Token);
                break;
            case ConnectorAuthenticationScheme.Basic:
                request.Headers.Authorization = new AuthenticationHeaderValue("Basic", _basicParameter);
                break;
            case ConnectorAuthenticationScheme.ApiKey:
                SetHeader(request, settings.HeaderName!, settings.Key!);
                break;
            case ConnectorAuthenticationScheme.Hmac:
                var timestamp = timeProvider.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
                var body = request.Content is null
                    ? []
                    : await request.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
                var signature = HmacSigner.Sign(settings.Secret!, timestamp, request.Method.Method, PathAndQuery(request), body);
                SetHeader(request, settings.TimestampHeader, timestamp);
                SetHeader(request, settings.SignatureHeader, signature);
                break;
        }
    }

    private static string PathAndQuery(HttpRequestMessage request) =>
        request.RequestUri is { IsAbsoluteUri: true } uri ? uri.PathAndQuery : request.RequestUri?.OriginalString ?? "/";

    // Remove first: a retried request still carries the previous attempt's values.
    private static void SetHeader(HttpRequestMessage request, string name, string value)
    {
        request.Headers.Remove(name);
        request.Headers.TryAddWithoutValidation(name, value);
    }
}

// Signature for remotes that authenticate requests by HMAC: lowercase hex of
// HMAC-SHA256(secret, "<unix seconds>\n<METHOD>\n<path and query>\n" + body bytes), sent with the
// timestamp so the remote can refuse stale (replayed) requests.
public static class HmacSigner
{
    public static string Sign(string secret, string timestamp, string method, string pathAndQuery, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes($"{timestamp}\n{method.ToUpperInvariant()}\n{pathAndQuery}\n");
        var payload = new byte[prefix.Length + body.Length];
        prefix.CopyTo(payload, 0);
        body.CopyTo(payload.AsSpan(prefix.Length));
        return Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), payload));
    }
}
