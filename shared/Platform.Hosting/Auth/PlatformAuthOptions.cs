using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Microsoft.Extensions.Options;

namespace Platform.Hosting;

/// <summary>
/// Section <c>Platform:Auth</c>. Nothing is configured by default, so a service without keys or a JWT authority
/// rejects every protected call: there is no built-in key to forget about.
/// Kubernetes secrets map onto it through environment variables, e.g.
/// <c>Platform__Auth__ApiKeys__0__Name=erp-bridge</c>, <c>Platform__Auth__ApiKeys__0__KeyHash=&lt;sha256 hex&gt;</c>,
/// <c>Platform__Auth__ApiKeys__0__Scopes__0=order.read order.write</c>.
/// </summary>
public sealed class PlatformAuthOptions
{
    public const string SectionPath = "Platform:Auth";

    public List<ApiKeyOptions> ApiKeys { get; set; } = [];

    public JwtOptions Jwt { get; set; } = new();
}

public sealed class ApiKeyOptions
{
    /// <summary>Who holds the key; becomes the caller's name in logs and authorization decisions.</summary>
    [Required]
    public string? Name { get; set; }

    /// <summary>SHA-256 of the key as 64 hex characters. Preferred: the running service never sees the key itself.</summary>
    public string? KeyHash { get; set; }

    /// <summary>The key in clear, for local development where hashing first is a chore. Set KeyHash or Key, not both.</summary>
    public string? Key { get; set; }

    /// <summary>Granted scopes; an entry may hold several separated by spaces or commas.</summary>
    public List<string> Scopes { get; set; } = [];
}

public sealed class JwtOptions
{
    /// <summary>The token issuer (OpenID Connect authority). Bearer tokens are accepted only when this is set.</summary>
    public string? Authority { get; set; }

    /// <summary>Required with Authority: a token minted for another API must not open this one.</summary>
    public string? Audience { get; set; }

    public bool RequireHttpsMetadata { get; set; } = true;
}

internal sealed class PlatformAuthOptionsValidator : IValidateOptions<PlatformAuthOptions>
{
    private const int MinimumKeyLength = 16;

    public ValidateOptionsResult Validate(string? name, PlatformAuthOptions options)
    {
        var failures = new List<string>();
        var seenNames = new HashSet<string>(StringComparer.Ordinal);
        for (var index = 0; index < options.ApiKeys.Count; index++)
        {
            var key = options.ApiKeys[index];
            var path = $"{PlatformAuthOptions.SectionPath}:ApiKeys:{index.ToString(CultureInfo.InvariantCulture)}";
            var hasHash = !string.IsNullOrWhiteSpace(key.KeyHash);
            var hasKey = !string.IsNullOrEmpty(key.Key);

            if (hasHash == hasKey)
            {
                failures.Add($"{path} must set exactly one of KeyHash or Key");
            }
            else if (hasHash && !IsSha256Hex(key.KeyHash!.Trim()))
            {
                failures.Add($"{path}:KeyHash must be the SHA-256 of the key as 64 hex characters");
            }
            else if (hasKey && key.Key!.Length < MinimumKeyLength)
            {
                failures.Add($"{path}:Key must be at least {MinimumKeyLength} characters long");
            }

            if (key.Name is { } keyName && !seenNames.Add(keyName))
            {
                failures.Add($"{path}:Name must be unique among {PlatformAuthOptions.SectionPath}:ApiKeys (was {keyName} again)");
            }

            foreach (var scope in PlatformScopes.Split(key.Scopes))
            {
                if (!PlatformScopes.IsWellFormed(scope))
                {
                    failures.Add($"{path}:Scopes must hold scopes such as order.read (was {scope})");
                }
            }
        }

        if (!string.IsNullOrWhiteSpace(options.Jwt.Authority))
        {
            if (!Uri.TryCreate(options.Jwt.Authority, UriKind.Absolute, out var authority))
            {
                failures.Add($"{PlatformAuthOptions.SectionPath}:Jwt:Authority must be an absolute URL (was {options.Jwt.Authority})");
            }
            else if (options.Jwt.RequireHttpsMetadata && authority.Scheme != Uri.UriSchemeHttps)
            {
                // Caught here, the mistake stops the deploy; left to the bearer handler, it fails the first call instead.
                failures.Add($"{PlatformAuthOptions.SectionPath}:Jwt:Authority must use https unless {PlatformAuthOptions.SectionPath}:Jwt:RequireHttpsMetadata is false (was {options.Jwt.Authority})");
            }

            if (string.IsNullOrWhiteSpace(options.Jwt.Audience))
            {
                failures.Add($"{PlatformAuthOptions.SectionPath}:Jwt:Audience is required when {PlatformAuthOptions.SectionPath}:Jwt:Authority is set");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static bool IsSha256Hex(string value) => value.Length == 64 && value.All(char.IsAsciiHexDigit);
}
