using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace Platform.Hosting;

public static class ApiKeyDefaults
{
    public const string AuthenticationScheme = "ApiKey";
    public const string HeaderName = "x-api-key";
    public const string AuthorizationScheme = "ApiKey";
}

public sealed class ApiKeyAuthenticationSchemeOptions : AuthenticationSchemeOptions;

/// <summary>The configured keys as SHA-256 digests, rebuilt when configuration reloads.</summary>
internal sealed class ApiKeyStore : IDisposable
{
    private readonly IDisposable? _reloadRegistration;
    private readonly ILogger<ApiKeyStore> _logger;
    private volatile Entry[] _entries;

    public ApiKeyStore(IOptionsMonitor<PlatformAuthOptions> options, ILogger<ApiKeyStore> logger)
    {
        _logger = logger;
        _entries = Build(options.CurrentValue);
        _reloadRegistration = options.OnChange(Reload);
    }

    public int Count => _entries.Length;

    /// <summary>
    /// Compares the presented key's digest with every configured digest in constant time and without stopping at
    /// the first match, so response timing reveals neither how much of a key matched nor which entry it was.
    /// </summary>
    public Entry? Find(string presentedKey)
    {
        Span<byte> presentedDigest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(presentedKey), presentedDigest);

        Entry? match = null;
        foreach (var entry in _entries)
        {
            if (CryptographicOperations.FixedTimeEquals(presentedDigest, entry.Digest))
            {
                match = entry;
            }
        }

        return match;
    }

    public void Dispose() => _reloadRegistration?.Dispose();

    private void Reload(PlatformAuthOptions options)
    {
        try
        {
            _entries = Build(options);
        }
        catch (Exception exception) when (exception is FormatException or OptionsValidationException)
        {
            // Keep serving with the keys that were valid rather than locking every caller out on a typo.
            _logger.LogError("Reloaded API key configuration is invalid; the previous keys stay in force: {Reason}", exception.Message);
        }
    }

    private static Entry[] Build(PlatformAuthOptions options) =>
        options.ApiKeys.Select(key => new Entry(
                key.Name ?? "",
                string.IsNullOrWhiteSpace(key.KeyHash)
                    ? SHA256.HashData(Encoding.UTF8.GetBytes(key.Key ?? ""))
                    : Convert.FromHexString(key.KeyHash.Trim()),
                PlatformScopes.Split(key.Scopes).Distinct(StringComparer.Ordinal).ToArray()))
            .ToArray();

    internal sealed record Entry(string Name, byte[] Digest, string[] Scopes);
}

internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<ApiKeyAuthenticationSchemeOptions> options,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    ApiKeyStore store)
    : AuthenticationHandler<ApiKeyAuthenticationSchemeOptions>(options, loggerFactory, encoder)
{
    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!TryReadKey(Request.Headers, out var presentedKey))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var entry = store.Find(presentedKey);
        if (entry is null)
        {
            // An anonymous endpoint (a webhook, a simulated system with its own X-Api-Key) is not the platform's to
            // guard: a key there is meant for someone else, and a warning per request would bury the real ones.
            if (Context.GetEndpoint()?.Metadata.GetMetadata<Microsoft.AspNetCore.Authorization.IAllowAnonymous>() is not null)
            {
                return Task.FromResult(AuthenticateResult.NoResult());
            }

            // Never the key itself, nor a prefix of it: a prefix of a long-lived secret still narrows a search.
            Logger.LogWarning("Rejected an unknown API key on {Path}", Request.Path.Value);
            return Task.FromResult(AuthenticateResult.Fail("Unknown API key."));
        }

        var claims = new List<Claim>(entry.Scopes.Length + 2)
        {
            new(ClaimTypes.Name, entry.Name),
            new("auth_method", "api_key"),
        };
        claims.AddRange(entry.Scopes.Select(scope => new Claim(PlatformScopes.ScopeClaimType, scope)));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, Scheme.Name, ClaimTypes.Name, ClaimTypes.Role));
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, Scheme.Name)));
    }

    internal static bool TryReadKey(IHeaderDictionary headers, out string key)
    {
        if (headers.TryGetValue(ApiKeyDefaults.HeaderName, out StringValues headerKey) && !StringValues.IsNullOrEmpty(headerKey))
        {
            key = headerKey.ToString().Trim();
            return key.Length > 0;
        }

        var authorization = headers.Authorization.ToString();
        var prefix = ApiKeyDefaults.AuthorizationScheme + " ";
        if (authorization.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
        {
            key = authorization[prefix.Length..].Trim();
            return key.Length > 0;
        }

        key = "";
        return false;
    }
}
